"""A Peppol Punch Out 3 cart in what a shop posted back to HOOK_URL.

DESIGN.md: a cart is recognised by content, whatever the supplier's protocol says: a UBL
``Catalogue`` as a raw XML body, or base64/text in a form field (``peppol-base64``,
``peppol-urlencoded``, or the cXML field names, since some shops reuse their cXML form). The
field decoding is the one of :mod:`punchout.formdata`.
"""

from __future__ import annotations

from punchout.formdata import (
    CXML_FIELDS,
    PEPPOL_FIELDS,
    FormBodyError,
    XmlFieldError,
    raw_fields,
    xml_in_fields,
)
from punchout.peppol.cart import is_peppol_cart
from punchout.peppol.errors import PeppolFormFieldError


def find_cart(body: bytes, content_type: str | None) -> bytes | None:
    """The cart's bytes when ``body`` carries a Peppol cart, else None.

    A ``peppol-*`` field is taken as meant for a cart whatever it holds (the cart reader then
    says what is wrong with it); one that cannot be decoded raises
    :class:`~punchout.peppol.errors.PeppolFormFieldError`, since saying why beats "no basket".
    """
    raw = body.removeprefix(b"\xef\xbb\xbf").lstrip()
    if raw.startswith(b"<"):
        return raw if is_peppol_cart(raw) else None
    try:
        fields = raw_fields(body, content_type)
    except FormBodyError:
        return None
    names = [f.name for f in fields]
    if PEPPOL_FIELDS.among(names):
        try:
            return xml_in_fields(fields, PEPPOL_FIELDS)
        except XmlFieldError as exc:
            raise PeppolFormFieldError(str(exc)) from None
    if CXML_FIELDS.among(names):
        try:
            xml = xml_in_fields(fields, CXML_FIELDS)
        except XmlFieldError:
            return None  # the cXML reader will say what is wrong with it
        return xml if is_peppol_cart(xml) else None
    return None
