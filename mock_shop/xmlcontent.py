"""Content of cXML ``ANY`` elements (BuyerCookie, SupplierPartAuxiliaryID) kept verbatim.

A buyer or supplier may put text or markup into these elements and expects it back byte for
byte. Text is kept as text (serialised again with the usual escaping); markup is kept as the
serialised inner XML and inserted again as parsed XML, so the output shows the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass
from xml.sax.saxutils import escape

from lxml import etree

from .safe_xml import parse_xml


@dataclass(frozen=True)
class XmlContent:
    value: str
    is_markup: bool = False

    @classmethod
    def text(cls, value: str) -> XmlContent:
        return cls(value, False)

    @classmethod
    def from_element(cls, element: etree._Element) -> XmlContent:
        if len(element) == 0:
            return cls(element.text or "", False)
        parts = [escape(element.text or "")]
        parts.extend(etree.tostring(child, encoding="unicode", with_tail=True) for child in element)
        return cls("".join(parts), True)

    @property
    def display(self) -> str:
        """Human-readable form: the text, or the markup as written."""
        return self.value

    @property
    def xml(self) -> str:
        """The inner XML as it appears between the element's tags."""
        return self.value if self.is_markup else escape(self.value)

    def fill(self, element: etree._Element) -> None:
        """Put this content into ``element`` (which must be empty)."""
        if not self.is_markup:
            element.text = self.value
            return
        wrapper = parse_xml(f"<w>{self.value}</w>".encode())
        element.text = wrapper.text
        for child in list(wrapper):
            element.append(child)  # lxml moves the tail with the element

    def to_json(self) -> dict[str, object]:
        return {"value": self.value, "markup": self.is_markup}
