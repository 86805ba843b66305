"""Small pieces shared by the cXML builder and parser (no public API)."""

from __future__ import annotations

from copy import deepcopy
from decimal import Decimal

from lxml import etree

from punchout.safexml import XMLSecurityError, XMLSyntaxError, parse_untrusted

CXML_VERSION = "1.2.063"
DTD_URL = f"http://xml.cxml.org/schemas/cXML/{CXML_VERSION}/cXML.dtd"
DOCTYPE = f'<!DOCTYPE cXML SYSTEM "{DTD_URL}">'
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

#: Elements whose content is ANY or mixed in the DTD: never add or remove whitespace inside them,
#: their text (``SupplierPartAuxiliaryID`` above all) must survive byte for byte.
VERBATIM_ELEMENTS = frozenset(
    {
        "BuyerCookie",
        "SupplierPartAuxiliaryID",
        "Extrinsic",
        "Identity",
        "SharedSecret",
        "Description",
        "Status",
    }
)


def format_decimal(value: Decimal) -> str:
    """Plain notation with the given scale: ``Decimal('1E+2')`` -> ``'100'``, never ``1E+2``."""
    return format(value, "f")


def inner_xml(el: etree._Element) -> str:
    """The content of an ANY element as a string.

    Plain text comes back unescaped (``a&amp;b`` -> ``a&b``). Content with child elements comes
    back as its serialised markup (``<a>b</a>``), text parts escaped, so that
    :func:`set_inner_xml` rebuilds the same content and a second parse gives the same string.
    """
    if len(el) == 0:
        return el.text or ""
    holder = etree.Element("x")
    holder.text = el.text
    for child in el:
        holder.append(deepcopy(child))
    serialised: str = etree.tostring(holder, encoding="unicode")
    return serialised[len("<x>") : -len("</x>")]


def set_inner_xml(el: etree._Element, value: str) -> None:
    """Put ``value`` (as returned by :func:`inner_xml`) back into ``el``.

    A value is taken as markup only when it is a well-formed fragment containing at least one
    element; anything else is plain text and gets escaped. The value came from outside (a
    supplier's basket), so the fragment goes through the one hardened parser too.
    """
    if "<" not in value:
        el.text = value
        return
    try:
        holder = parse_untrusted(b"<x>" + value.encode("utf-8") + b"</x>")
    except (XMLSecurityError, XMLSyntaxError):
        el.text = value
        return
    if len(holder) == 0:
        el.text = value
        return
    el.text = holder.text
    for child in list(holder):
        el.append(child)


def indent(el: etree._Element, level: int = 0, step: str = "  ") -> None:
    """Pretty-print element-only content in place, leaving text-bearing elements untouched.

    lxml's own ``indent``/``pretty_print`` would also indent inside ANY elements such as
    ``SupplierPartAuxiliaryID`` and so change a supplier's cookie; this one does not.
    """
    children = [c for c in el if isinstance(c.tag, str)]
    if not children or _localname(el) in VERBATIM_ELEMENTS:
        return
    if (el.text and el.text.strip()) or any(c.tail and c.tail.strip() for c in el):
        return
    inner = "\n" + step * (level + 1)
    el.text = inner
    for child in el:
        child.tail = inner
        indent(child, level + 1, step)
    el[-1].tail = "\n" + step * level


def _localname(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""
