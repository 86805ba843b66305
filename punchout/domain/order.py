"""An order as it goes to a supplier, whatever the channel: the protocol-neutral document that
the cXML ``OrderRequest``, the e-mail, its CSV and the Peppol BIS Order 3 are written from.

Unknown details are ``None``: documents leave them out (DESIGN.md: missing details never
block an order)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class PostalAddress:
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2

    @property
    def complete(self) -> bool:
        return bool(self.street and self.city)


@dataclass(frozen=True)
class BuyerParty:
    """The ordering organisation."""

    name: str
    code: str
    legal_name: str | None = None
    org_number: str | None = None
    peppol_id: str | None = None
    buyer_reference: str | None = None
    invoice_address: PostalAddress | None = None


@dataclass(frozen=True)
class SupplierParty:
    name: str
    peppol_id: str | None = None
    order_email: str | None = None


@dataclass(frozen=True)
class OrderLine:
    """One orderable requisition line, in the supplier's own units and IDs."""

    line_number: int
    supplier_part_id: str
    supplier_part_auxiliary_id: str | None
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    currency: str
    line_total: Decimal
    price_basis_quantity: Decimal | None = None
    price_basis_conversion: Decimal | None = None
    price_basis_unit: str | None = None
    unspsc: str | None = None
    manufacturer_part_id: str | None = None
    manufacturer_name: str | None = None
    #: The supplier's own unit code when it differs from ``unit`` (UN/ECE Rec 20, what Peppol
    #: documents use): a cXML order repeats the basket's own units.
    unit_as_sent: str | None = None


@dataclass(frozen=True)
class OrderDocument:
    order_number: str
    payload_id: str
    issued_at: datetime
    currency: str
    total: Decimal
    buyer: BuyerParty
    supplier: SupplierParty
    lines: tuple[OrderLine, ...]
    requisition_id: int
    agreement_reference: str | None = None
    delivery_address: PostalAddress | None = None
    delivery_marking: str | None = None
    cost_centre: str | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    #: What the document goes without (shown on the order).
    warnings: tuple[str, ...] = ()
