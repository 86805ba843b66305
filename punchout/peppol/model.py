"""Typed Peppol documents: the Punch Out 3 cart that comes in and the Order 3 that goes out."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, time
from decimal import Decimal

from punchout.peppol.ubl import GTIN_SCHEME, UNSPSC_LIST_IDS


@dataclass(frozen=True)
class Classification:
    """``cac:CommodityClassification/cbc:ItemClassificationCode`` with its UNCL 7143 list."""

    code: str
    list_id: str
    list_version_id: str | None = None


@dataclass(frozen=True)
class TaxCategory:
    """``cac:ClassifiedTaxCategory``: UNCL 5305 category (S, Z, E, AE, K, G, O) and rate."""

    category: str
    percent: Decimal | None = None


@dataclass(frozen=True)
class RuleBreak:
    """A BIS rule (or a cardinality the syntax fixes) the document breaks.

    ``rule`` is OpenPEPPOL's ID where the Schematron has one (``PEPPOL-T77-R006``), else
    ``SYNTAX`` for what the generated cardinality rules would catch."""

    rule: str
    message: str
    path: str = ""

    def __str__(self) -> str:
        where = f" ({self.path})" if self.path else ""
        return f"{self.rule}: {self.message}{where}"


@dataclass(frozen=True)
class CartLine:
    """One ``cac:CatalogueLine`` of a Punch Out cart, as read (None: absent or unreadable)."""

    position: int
    line_id: str
    name: str
    description: str
    quantity: Decimal | None
    unit: str
    price: Decimal | None
    currency: str
    base_quantity: Decimal | None
    base_unit: str | None
    tax: TaxCategory | None
    sellers_item_id: str | None
    standard_item_id: str | None
    standard_item_scheme: str | None
    manufacturers_item_id: str | None
    manufacturer_name: str | None
    classifications: tuple[Classification, ...]
    contracted: bool
    lead_time_days: int | None = None
    #: Why this line cannot be used as it stands (it becomes an ``invalid_line``).
    problems: tuple[str, ...] = ()

    @property
    def gtin(self) -> str | None:
        return self.standard_item_id if self.standard_item_scheme == GTIN_SCHEME else None

    @property
    def unspsc(self) -> str | None:
        for item in self.classifications:
            if item.list_id in UNSPSC_LIST_IDS:
                return item.code
        return None


@dataclass(frozen=True)
class CartParty:
    name: str | None = None
    endpoint_id: str | None = None
    endpoint_scheme: str | None = None
    contact_id: str | None = None


@dataclass(frozen=True)
class Cart:
    """A Punch Out 3 cart. ``rule_breaks`` are the BIS rules it breaks (it is read anyway)."""

    cart_id: str
    customization_id: str
    profile_id: str
    issue_date: date | None
    issue_time: time | None
    valid_until: date | None
    contract_reference: str | None
    complete_cart_only: bool
    provider: CartParty
    receiver: CartParty
    lines: tuple[CartLine, ...]
    rule_breaks: tuple[RuleBreak, ...] = ()

    @property
    def currency(self) -> str | None:
        currencies = {line.currency for line in self.lines if line.currency}
        return currencies.pop() if len(currencies) == 1 else None


# --- Order 3 ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Address:
    street: str | None = None
    additional_street: str | None = None
    city: str | None = None
    postcode: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2

    @property
    def is_empty(self) -> bool:
        return not any((self.street, self.additional_street, self.city, self.postcode,
                        self.country))


@dataclass(frozen=True)
class OrderParty:
    """A buyer or seller. ``endpoint`` is a Peppol participant ID ``scheme:id`` (``0007:…``)."""

    name: str
    endpoint: str | None = None
    legal_name: str | None = None
    company_id: str | None = None  # organisation number; scheme from the endpoint when 0007
    address: Address | None = None
    contact_name: str | None = None
    contact_email: str | None = None


@dataclass(frozen=True)
class OrderLine:
    line_id: str
    quantity: Decimal
    unit: str
    line_amount: Decimal
    price: Decimal
    name: str
    base_quantity: Decimal | None = None
    description: str | None = None
    sellers_item_id: str | None = None
    standard_item_id: str | None = None  # a GTIN (scheme 0160)
    manufacturers_item_id: str | None = None
    classifications: tuple[Classification, ...] = ()
    tax: TaxCategory | None = None
    note: str | None = None


@dataclass(frozen=True)
class Order:
    """What the Order 3 writer needs; the services fill it from an approved requisition."""

    order_id: str
    issue_date: date
    currency: str
    buyer: OrderParty
    seller: OrderParty
    lines: tuple[OrderLine, ...]
    issue_time: time | None = None
    note: str | None = None
    customer_reference: str | None = None
    accounting_cost: str | None = None
    originator_reference: str | None = None
    contract_reference: str | None = None
    delivery_address: Address | None = None
    delivery_party: str | None = None
    invoicee: OrderParty | None = None
    profile_id: str = field(default="urn:fdc:peppol.eu:poacc:bis:order_only:3")

    @property
    def line_extension_total(self) -> Decimal:
        return sum((line.line_amount for line in self.lines), Decimal(0))
