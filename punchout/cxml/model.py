"""Typed cXML messages: what the codec parses into and builds from.

Frozen dataclasses with wire values in Enums. Money and quantities are ``Decimal``; text that must
round-trip byte for byte (``SupplierPartAuxiliaryID``, ``BuyerCookie``) is kept as the exact string
the parser saw, markup included.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class Operation(StrEnum):
    """``PunchOutSetupRequest/@operation`` and ``PunchOutOrderMessageHeader/@operationAllowed``."""

    CREATE = "create"
    EDIT = "edit"
    INSPECT = "inspect"
    SOURCE = "source"


class DeploymentMode(StrEnum):
    TEST = "test"
    PRODUCTION = "production"


@dataclass(frozen=True)
class Credential:
    domain: str
    identity: str
    shared_secret: str | None = None


@dataclass(frozen=True)
class Header:
    """``From``/``To``/``Sender``. Each party may carry several credentials; the first is used."""

    from_: tuple[Credential, ...]
    to: tuple[Credential, ...]
    sender: Credential
    user_agent: str = "punchout"


@dataclass(frozen=True)
class Envelope:
    """Root attributes of a cXML document."""

    payload_id: str
    timestamp: str
    version: str = "1.2.063"
    lang: str | None = None
    doctype_version: str | None = None


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str
    alternate_amount: Decimal | None = None
    alternate_currency: str | None = None


@dataclass(frozen=True)
class Extrinsic:
    name: str
    value: str


@dataclass(frozen=True)
class Address:
    """A ``ShipTo/Address`` kept simply: id, name and postal lines."""

    address_id: str | None = None
    name: str = ""
    lang: str = "sv"
    deliver_to: tuple[str, ...] = ()
    street: tuple[str, ...] = ()
    city: str = ""
    postal_code: str = ""
    country_code: str = "SE"
    country_name: str = "Sverige"


@dataclass(frozen=True)
class Contact:
    name: str
    email: str | None = None
    role: str | None = None
    lang: str = "sv"


@dataclass(frozen=True)
class ItemID:
    supplier_part_id: str
    supplier_part_auxiliary_id: str | None = None


@dataclass(frozen=True)
class PriceBasisQuantity:
    quantity: Decimal
    conversion_factor: Decimal
    unit_of_measure: str


@dataclass(frozen=True)
class Classification:
    domain: str
    code: str


@dataclass(frozen=True)
class ItemDetail:
    unit_price: Money
    description: str
    unit_of_measure: str
    description_lang: str = "sv"
    short_name: str | None = None
    price_basis_quantity: PriceBasisQuantity | None = None
    classifications: tuple[Classification, ...] = ()
    manufacturer_part_id: str | None = None
    manufacturer_name: str | None = None
    url: str | None = None
    lead_time: int | None = None
    extrinsics: tuple[Extrinsic, ...] = ()

    @property
    def unspsc(self) -> str | None:
        for c in self.classifications:
            if c.domain.upper() == "UNSPSC" and c.code:
                return c.code
        return None


@dataclass(frozen=True)
class Item:
    """``ItemIn`` (in a basket) or ``ItemOut`` (in an edit/inspect setup request)."""

    quantity: Decimal
    item_id: ItemID
    detail: ItemDetail
    line_number: int | None = None
    parent_line_number: int | None = None


@dataclass(frozen=True)
class PunchOutSetupRequest:
    header: Header
    buyer_cookie: str
    browser_form_post_url: str | None
    operation: Operation = Operation.CREATE
    extrinsics: tuple[Extrinsic, ...] = ()
    contacts: tuple[Contact, ...] = ()
    ship_to: Address | None = None
    selected_item: ItemID | None = None
    items_out: tuple[Item, ...] = ()
    deployment_mode: DeploymentMode = DeploymentMode.PRODUCTION
    envelope: Envelope | None = None


@dataclass(frozen=True)
class Status:
    code: int
    text: str = ""
    message: str = ""

    @property
    def ok(self) -> bool:
        return 200 <= self.code < 300


@dataclass(frozen=True)
class PunchOutSetupResponse:
    status: Status
    start_page_url: str | None
    envelope: Envelope | None = None


@dataclass(frozen=True)
class PunchOutOrderMessage:
    header: Header | None
    buyer_cookie: str
    operation_allowed: Operation
    total: Money
    items: tuple[Item, ...] = ()
    shipping: Money | None = None
    tax: Money | None = None
    status: Status = field(default_factory=lambda: Status(200, "OK"))
    deployment_mode: DeploymentMode = DeploymentMode.PRODUCTION
    envelope: Envelope | None = None


@dataclass(frozen=True)
class OrderRequest:
    """``Request/OrderRequest`` (buyer -> supplier): a new order. ``order_id`` and the
    envelope's payloadID stay the same on every retry so the supplier can discard a repeat."""

    header: Header
    order_id: str
    order_date: str
    total: Money
    bill_to: Address
    items: tuple[Item, ...]
    ship_to: Address | None = None
    comments: str | None = None
    comments_lang: str = "sv"
    extrinsics: tuple[Extrinsic, ...] = ()
    deployment_mode: DeploymentMode = DeploymentMode.PRODUCTION
    envelope: Envelope | None = None
