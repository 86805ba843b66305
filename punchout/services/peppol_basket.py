"""A Peppol Punch Out 3 cart in whatever the return endpoint or an integrator received.

DESIGN.md: a cart is recognised by content, whatever the supplier's protocol says: a UBL
``Catalogue`` as a raw XML body, or base64/escaped in a form field (``peppol-base64``,
``peppol-urlencoded``, or the cXML field names, since some shops reuse their cXML form). It is
read even when it breaks BIS rules; the breaks travel as the basket's ``bis_rule`` warnings.
"""

from __future__ import annotations

from punchout.cxml import CXMLError, read_basket_form_fields
from punchout.domain.basket import Basket
from punchout.formdata import FormBodyError, raw_fields
from punchout.peppol import PeppolError, cart_to_basket, is_peppol_cart, read_cart
from punchout.persistence.models import PunchoutSession
from punchout.services.context import Gateway
from punchout.services.returned import ReturnedBasket, Unreadable

PEPPOL_FIELDS = ("peppol-base64", "peppol-urlencoded")
CXML_FIELDS = ("cxml-base64", "cxml-urlencoded")


def cart_xml(body: bytes, content_type: str | None) -> bytes | None:
    """The cart's bytes when ``body`` carries a Peppol cart, else None.

    Raises :class:`~punchout.cxml.FormFieldError` when a ``peppol-*`` field is there but
    cannot be decoded (that body is meant as a Peppol cart, so saying why beats "no basket").
    """
    raw = body.removeprefix(b"\xef\xbb\xbf").lstrip()
    if raw.startswith(b"<"):
        return raw if is_peppol_cart(raw) else None
    try:
        fields = raw_fields(body, content_type)
    except FormBodyError:
        return None
    names = {f.name.strip().lower() for f in fields}
    if names & set(PEPPOL_FIELDS):
        return read_basket_form_fields(fields, base64_field=PEPPOL_FIELDS[0],
                                       urlencoded_field=PEPPOL_FIELDS[1])
    if names & set(CXML_FIELDS):
        try:
            xml = read_basket_form_fields(fields)
        except ValueError:
            return None  # the cXML reader will say what is wrong with it
        return xml if is_peppol_cart(xml) else None
    return None


def read_peppol_basket(xml: bytes, *, max_bytes: int) -> Basket:
    """The domain basket of a cart; raises :class:`~punchout.peppol.PeppolError`."""
    return cart_to_basket(read_cart(xml, max_bytes=max_bytes))


def carries_cart(body: bytes, content_type: str | None) -> bool:
    """Whether a return carries a Peppol cart (also one whose ``peppol-*`` field is broken:
    the Peppol reader then says what is wrong with it)."""
    try:
        return cart_xml(body, content_type) is not None
    except ValueError:
        return True


def read_return(gw: Gateway, session: PunchoutSession, body: bytes,
                content_type: str | None) -> ReturnedBasket:
    """The basket of a Peppol Punch Out 3 return; its trust comes from the session token (a
    cart carries no BuyerCookie), as for OCI."""
    try:
        cart = cart_xml(body, content_type)
        if cart is None:
            raise Unreadable("no Peppol Punch Out 3 cart: expected a UBL Catalogue as the body "
                             "or in a peppol-base64/peppol-urlencoded form field")
        basket = read_peppol_basket(cart, max_bytes=gw.settings.max_body)
    except (CXMLError, PeppolError) as exc:
        raise Unreadable(str(exc)) from None
    return ReturnedBasket(basket, cancelled=basket.is_empty)
