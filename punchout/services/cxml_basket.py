"""cXML PunchOutOrderMessage -> protocol-neutral Basket, and requisition lines -> ItemOut."""

from __future__ import annotations

from collections.abc import Iterable

from punchout.cxml.model import (
    Classification,
    Extrinsic,
    Item,
    ItemDetail,
    ItemID,
    Money,
    PriceBasisQuantity,
    PunchOutOrderMessage,
)
from punchout.domain.basket import Basket, BasketLine, PriceBasis
from punchout.persistence.models import RequisitionLine


def basket_from_order_message(msg: PunchOutOrderMessage) -> Basket:
    lines = []
    for item in msg.items:
        d = item.detail
        pbq = d.price_basis_quantity
        lines.append(
            BasketLine(
                supplier_part_id=item.item_id.supplier_part_id,
                supplier_part_auxiliary_id=item.item_id.supplier_part_auxiliary_id,
                quantity=item.quantity,
                unit=d.unit_of_measure,
                unit_price=d.unit_price.amount,
                currency=d.unit_price.currency,
                description=d.description,
                short_name=d.short_name,
                unspsc=d.unspsc,
                price_basis=(
                    PriceBasis(pbq.quantity, pbq.conversion_factor, pbq.unit_of_measure)
                    if pbq is not None
                    else None
                ),
                manufacturer_part_id=d.manufacturer_part_id,
                manufacturer_name=d.manufacturer_name,
                lead_time=d.lead_time,
                source_line=str(item.line_number) if item.line_number is not None else None,
                url=d.url,
                extrinsics=tuple((e.name, e.value) for e in d.extrinsics),
            )
        )
    return Basket(
        lines=tuple(lines),
        currency=msg.total.currency,
        total=msg.total.amount,
        shipping=msg.shipping.amount if msg.shipping else None,
        tax=msg.tax.amount if msg.tax else None,
        operation_allowed=msg.operation_allowed.value,
        buyer_cookie=msg.buyer_cookie,
    )


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
                conversion_factor=line.price_basis_conversion or 1,
                unit_of_measure=line.price_basis_unit or line.unit,
            )
        items.append(
            Item(
                quantity=line.quantity,
                line_number=int(line.source_line) if (line.source_line or "").isdigit()
                else line.line_no,
                item_id=ItemID(line.supplier_part_id, line.supplier_part_auxiliary_id),
                detail=ItemDetail(
                    unit_price=Money(line.unit_price, line.currency),
                    description=line.description,
                    short_name=line.short_name,
                    unit_of_measure=line.unit,
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
