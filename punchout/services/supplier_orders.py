"""A supplier's order configuration: channel, order URL, order address, Peppol ID.

:func:`save_order_settings` is the one place where these are changed (CLI and admin pages
both come here), so an audit of who changed what and when hooks in here once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from punchout.errors import InvalidRequest, Reason
from punchout.persistence.models import OrderChannel, Supplier

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PEPPOL_ID = re.compile(r"[0-9]{4}:[^\s]{1,50}")


@dataclass(frozen=True)
class OrderSettings:
    channel: str | None = None  # None: cxml when there is an order URL, else none
    order_url: str | None = None
    order_email: str | None = None
    peppol_id: str | None = None


def save_order_settings(db: Session, supplier: Supplier, settings: OrderSettings, *,
                        changed_by: int | None = None) -> list[str]:
    """Validate and store; returns the names of the fields that changed."""
    url = (settings.order_url or "").strip() or None
    email = (settings.order_email or "").strip() or None
    peppol = (settings.peppol_id or "").strip() or None
    channel = settings.channel or (OrderChannel.CXML.value
                                   if url and supplier.protocol == "cxml"
                                   else OrderChannel.NONE.value)
    try:
        channel = OrderChannel(channel).value
    except ValueError:
        raise InvalidRequest(f"the order channel is cxml, email, peppol or none, not "
                             f"{channel!r}", reason=Reason.ORDER_CHANNEL) from None
    if url is not None and not url.startswith(("http://", "https://")):
        raise InvalidRequest(f"the order URL must be an http(s) URL, not {url!r}",
                             reason=Reason.ORDER_URL)
    if email is not None and not EMAIL.fullmatch(email):
        raise InvalidRequest(f"{email!r} is not an e-mail address", reason=Reason.ORDER_EMAIL,
                             params={"email": email})
    if peppol is not None and not PEPPOL_ID.fullmatch(peppol):
        raise InvalidRequest(f"a Peppol ID is scheme:identifier such as 0007:5561234567, "
                             f"not {peppol!r}", reason=Reason.PEPPOL_ID)
    if channel == OrderChannel.CXML.value:
        if supplier.protocol != "cxml":
            raise InvalidRequest("the cxml order channel needs a cXML supplier (its "
                                 "credentials sign the OrderRequest)",
                                 reason=Reason.CXML_CHANNEL_NEEDS_CXML)
        if url is None:
            raise InvalidRequest("the cxml order channel needs --order-url",
                                 reason=Reason.CHANNEL_NEEDS_URL)
    if channel == OrderChannel.EMAIL.value and email is None:
        raise InvalidRequest("the email order channel needs --order-email",
                             reason=Reason.CHANNEL_NEEDS_EMAIL)
    if channel == OrderChannel.PEPPOL.value and peppol is None:
        raise InvalidRequest("the peppol order channel needs --peppol-id",
                             reason=Reason.CHANNEL_NEEDS_PEPPOL_ID)
    changed = []
    for name, value in (("order_channel", channel), ("order_url", url),
                        ("order_email", email), ("peppol_id", peppol)):
        if getattr(supplier, name) != value:
            setattr(supplier, name, value)
            changed.append(name)
    db.flush()
    return changed
