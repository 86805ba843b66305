"""cXML PunchOutOrderMessage -> the protocol-neutral Basket (next to the codec that reads it)."""

from __future__ import annotations

from punchout.cxml.model import PunchOutOrderMessage
from punchout.domain.basket import Basket, BasketLine, PriceBasis


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
