"""Requisition lines -> cXML ItemOut, for edit and inspect re-punch-out."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from punchout.cxml.model import (
    Classification,
    Extrinsic,
    Item,
    ItemDetail,
    ItemID,
    Money,
    PriceBasisQuantity,
)
from punchout.persistence.models import RequisitionLine


def items_out_from_lines(
    lines: Iterable[RequisitionLine], extrinsics: dict[int, list[list[str]]]
) -> tuple[Item, ...]:
    """The earlier basket's lines as ItemOut, aux IDs byte-exact, for edit and inspect."""
    items = []
    for line in lines:
        pbq = None
        if line.price_basis_quantity is not None:
            pbq = PriceBasisQuantity(
                quantity=line.price_basis_quantity,
                conversion_factor=line.price_basis_conversion or Decimal(1),
                unit_of_measure=line.price_basis_unit or line.unit_as_sent or line.unit,
            )
        items.append(
            Item(
                quantity=line.quantity,
                line_number=int(line.source_line)
                if line.source_line is not None and line.source_line.isdigit() else line.line_no,
                item_id=ItemID(line.supplier_part_id, line.supplier_part_auxiliary_id),
                detail=ItemDetail(
                    unit_price=Money(line.unit_price, line.currency),
                    description=line.description,
                    short_name=line.short_name,
                    unit_of_measure=line.unit_as_sent or line.unit,
                    price_basis_quantity=pbq,
                    classifications=(
                        (Classification("UNSPSC", line.unspsc),) if line.unspsc else ()
                    ),
                    manufacturer_part_id=line.manufacturer_part_id,
                    manufacturer_name=line.manufacturer_name,
                    lead_time=line.lead_time,
                    url=line.url,
                    extrinsics=tuple(Extrinsic(n, v) for n, v in extrinsics.get(line.id, [])),
                ),
            )
        )
    return tuple(items)
