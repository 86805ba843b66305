"""A large cXML basket with the variety real ones have (aux IDs with and without markup, legacy
units, price bases, extrinsics, several classifications), built with the gateway's builder."""

from __future__ import annotations

from decimal import Decimal

from punchout.cxml import (
    Classification,
    Extrinsic,
    Item,
    ItemDetail,
    ItemID,
    Money,
    Operation,
    PriceBasisQuantity,
    PunchOutOrderMessage,
    build_order_message,
)
from punchout.domain.money import line_total
from testkit.cxml_samples import HEADER

UNITS = ("PK", "EA", "XBX", "KGM")
NOUNS = ("Kopieringspapper", "Kulspetspenna", "Pärm")
ADJECTIVES = ("blå", "återvunnen")


def big_item(i: int) -> Item:
    """Line ``i`` (0-based) of :func:`big_basket_xml`."""
    cents = (i * 7919) % 99_900 + 100
    aux = f"V{i % 7}" if i % 50 == 0 else (f"<v>V{i % 7}</v>" if i % 25 == 0 else None)
    unspsc = "14111507" if i % 2 == 0 else "44121704"
    unit = UNITS[i % len(UNITS)]
    return Item(
        quantity=Decimal(i % 9 + 1),
        line_number=i + 1,
        item_id=ItemID(f"ART-{i:07d}", aux),
        detail=ItemDetail(
            unit_price=Money(Decimal(cents) / 100, "SEK"),
            description=f"{NOUNS[i % len(NOUNS)]} {ADJECTIVES[i % 2]} nr {i}",
            unit_of_measure=unit,
            price_basis_quantity=(PriceBasisQuantity(Decimal(10), Decimal(1), unit)
                                  if i % 10 == 9 else None),
            classifications=(Classification("UNSPSC", unspsc),)
            + ((Classification("eCl@ss", "24-32-01-01"),) if i % 4 == 3 else ()),
            manufacturer_part_id=f"M-{i:07d}" if i % 3 == 2 else None,
            extrinsics=(Extrinsic("Miljömärkning", "Svanen"),) if i % 7 == 6 else (),
        ),
    )


def big_basket_xml(lines: int, cookie: str = "big-basket") -> bytes:
    items = tuple(big_item(i) for i in range(lines))
    total = sum((line_total(it.quantity, it.detail.unit_price.amount,
                            *((it.detail.price_basis_quantity.quantity,
                               it.detail.price_basis_quantity.conversion_factor)
                              if it.detail.price_basis_quantity else ()))
                 for it in items), Decimal(0))
    return build_order_message(PunchOutOrderMessage(
        header=HEADER, buyer_cookie=cookie, operation_allowed=Operation.EDIT,
        total=Money(total, "SEK"), items=items))
