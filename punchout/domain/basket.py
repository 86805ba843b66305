"""The basket as the rest of the gateway sees it, whatever protocol it arrived in."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from punchout.domain.money import line_total, to_ore
from punchout.domain.units import normalise_unit

_set = object.__setattr__


@dataclass(frozen=True)
class PriceBasis:
    quantity: Decimal
    conversion_factor: Decimal
    unit: str


@dataclass(frozen=True)
class BasketWarning:
    """A finding about the basket as a whole (it changes no line's verdict)."""

    code: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


@dataclass(frozen=True, init=False)
class BasketLine:
    """One line, whatever protocol it came in.

    ``unit`` is the UN/ECE Rec 20 code, computed once here on the way in (legacy and SAP codes
    mapped: ``PCE`` -> ``H87``): what checks, statistics and Peppol documents use.
    ``unit_as_sent`` is the supplier's own code, which goes back to the supplier (edit and
    inspect ItemOut, cXML orders). ``problems`` are what the codec found wrong with the line
    (an OCI field too long, say): they make it an ``invalid_line``.
    """

    supplier_part_id: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    currency: str
    supplier_part_auxiliary_id: str | None = None
    description: str = ""
    short_name: str | None = None
    unspsc: str | None = None
    price_basis: PriceBasis | None = None
    manufacturer_part_id: str | None = None
    manufacturer_name: str | None = None
    lead_time: int | None = None
    source_line: str | None = None
    url: str | None = None
    extrinsics: tuple[tuple[str, str], ...] = ()
    #: Every classification as received: (domain or list ID, code), in order. Kept so that an
    #: edit re-punch-out sends them back exactly (issue 10); ``unspsc`` is the one checked.
    classifications: tuple[tuple[str, str], ...] = ()
    #: The ``xml:lang`` of the description as received ("" when the sender sent it empty).
    description_lang: str | None = None
    unit_as_sent: str | None = None
    problems: tuple[str, ...] = ()

    def __init__(
        self,
        supplier_part_id: str,
        quantity: Decimal,
        unit: str,
        unit_price: Decimal,
        currency: str,
        supplier_part_auxiliary_id: str | None = None,
        description: str = "",
        short_name: str | None = None,
        unspsc: str | None = None,
        price_basis: PriceBasis | None = None,
        manufacturer_part_id: str | None = None,
        manufacturer_name: str | None = None,
        lead_time: int | None = None,
        source_line: str | None = None,
        url: str | None = None,
        extrinsics: tuple[tuple[str, str], ...] = (),
        classifications: tuple[tuple[str, str], ...] = (),
        description_lang: str | None = None,
        unit_as_sent: str | None = None,
        problems: tuple[str, ...] = (),
    ) -> None:
        # Written out rather than generated: the generated frozen __init__ sets each of the 20
        # fields through object.__setattr__, and with __post_init__ that was 1.3x a bare lxml
        # parse of a 1,000-line basket on its own (issue 8). One dict, one setattr; a test keeps
        # this signature equal to the fields.
        _set(self, "__dict__", {
            "supplier_part_id": supplier_part_id,
            "quantity": quantity,
            "unit": normalise_unit(unit),
            "unit_price": unit_price,
            "currency": currency,
            "supplier_part_auxiliary_id": supplier_part_auxiliary_id,
            "description": description,
            "short_name": short_name,
            "unspsc": unspsc,
            "price_basis": price_basis,
            "manufacturer_part_id": manufacturer_part_id,
            "manufacturer_name": manufacturer_name,
            "lead_time": lead_time,
            "source_line": source_line,
            "url": url,
            "extrinsics": extrinsics,
            "classifications": classifications,
            "description_lang": description_lang,
            "unit_as_sent": unit if unit_as_sent is None else unit_as_sent,
            "problems": problems,
        })

    @property
    def sent_unit(self) -> str:
        """The unit exactly as the supplier sent it."""
        return self.unit_as_sent if self.unit_as_sent is not None else self.unit

    @property
    def total(self) -> Decimal:
        """Exact line total, applying the price basis."""
        if self.price_basis is None:
            return line_total(self.quantity, self.unit_price)
        return line_total(self.quantity, self.unit_price, self.price_basis.quantity,
                          self.price_basis.conversion_factor)


@dataclass(frozen=True)
class Basket:
    lines: tuple[BasketLine, ...]
    currency: str | None = None
    total: Decimal | None = None
    shipping: Decimal | None = None
    tax: Decimal | None = None
    operation_allowed: str | None = None
    buyer_cookie: str | None = None
    #: Findings of the codec about the basket as a whole (ignored fields, skipped items...).
    warnings: tuple[BasketWarning, ...] = field(default_factory=tuple)

    @property
    def is_empty(self) -> bool:
        return not self.lines

    def lines_total(self) -> Decimal:
        return to_ore(sum((line.total for line in self.lines), Decimal(0)))
