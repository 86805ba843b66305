"""Writing OCI ``NEW_ITEM-*`` fields and the form that carries them, independently of
``punchout.oci`` (so a bug shared with the gateway's codec cannot hide on both sides).

Numbers use OCI's format: ``.`` as decimal point, at most 11 digits before it and 3 after, no
thousands separators. A price with more than three decimals (27.4375 per kg) is stated exactly
for a larger price unit instead (274.375 per 10 kg), never rounded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from .catalogue import CURRENCY, Article, fmt_decimal
from .oci_call import OciContext

Field = tuple[str, str]

#: OCI 4.0/5.0 maximum lengths, in characters, of the fields this shop writes.
MAX_LENGTHS = {
    "DESCRIPTION": 40,
    "QUANTITY": 15,
    "UNIT": 3,
    "PRICE": 15,
    "CURRENCY": 5,
    "PRICEUNIT": 5,
    "LEADTIME": 5,
    "VENDOR": 10,
    "VENDORMAT": 40,
    "MANUFACTCODE": 10,
    "MANUFACTMAT": 40,
    "MATGROUP": 10,
    "EXT_SCHEMA_TYPE": 10,
    "EXT_CATEGORY_ID": 60,
    "EXT_PRODUCT_ID": 40,
}
#: Free text that may be shortened (at a word boundary); every other field is a code or a
#: number and must fit as is.
CLIPPED = frozenset({"DESCRIPTION"})
#: Left out when the value does not fit, rather than sent cut: MANUFACTCODE is a code, and a
#: manufacturer's name cut to ten characters names nobody.
OMITTED_WHEN_LONG = frozenset({"MANUFACTCODE"})

THOUSANDTH = Decimal("0.001")
HUNDREDTH = Decimal("0.01")
MAX_WHOLE_DIGITS = 11


def oci_number(value: Decimal, *, min_decimals: int = 0) -> str:
    """``12``, ``1.5``, ``42.50``: at most 3 decimals and 11 whole digits, else ValueError."""
    if not value.is_finite() or value < 0 or value != value.quantize(THOUSANDTH):
        raise ValueError(f"{value} does not fit OCI's number format")
    text = fmt_decimal(value)
    decimals = len(text.partition(".")[2])
    if decimals < min_decimals:
        text = format(value.quantize(Decimal(1).scaleb(-min_decimals)), "f")
    if len(text.partition(".")[0]) > MAX_WHOLE_DIGITS:
        raise ValueError(f"{value} has more than {MAX_WHOLE_DIGITS} whole digits")
    return text


def price_and_unit(article: Article) -> tuple[str, str]:
    """(PRICE, PRICEUNIT): the price per price basis, scaled by tens until it has at most two
    decimals (27.4375 per kg is 2743.75 per 100 kg), as SAP buyers expect money; when that
    would need a PRICEUNIT over its five digits, three decimals (OCI's limit) instead."""
    for step in (HUNDREDTH, THOUSANDTH):
        scale = 0
        while article.price.scaleb(scale) != article.price.scaleb(scale).quantize(step):
            scale += 1
        unit = article.basis.scaleb(scale)
        if len(fmt_decimal(unit)) <= MAX_LENGTHS["PRICEUNIT"] or step is THOUSANDTH:
            return (oci_number(article.price.scaleb(scale), min_decimals=2),
                    oci_number(unit))
    raise AssertionError("unreachable")


def clip(text: str, length: int) -> str:
    """``text`` cut to ``length`` characters at the last word boundary (a single word longer
    than ``length`` is cut inside it). The whole text goes in LONGTEXT."""
    if len(text) <= length:
        return text
    cut = text[:length]
    if text[length] != " " and " " in cut:
        cut = cut[:cut.rindex(" ")]
    cut = cut.rstrip()
    while cut and cut[-1] in ",;:—":  # a dangling separator, not a hyphen ("höj- och")
        cut = cut[:-1].rstrip()
    return cut


def item_fields(number: int, article: Article, quantity: Decimal, vendor: str) -> list[Field]:
    """The ``NEW_ITEM-*`` fields of basket line ``number`` (1-based), in a fixed order."""
    price, price_unit = price_and_unit(article)
    matgroup = article.unspsc[:8]
    values: list[Field] = [
        ("DESCRIPTION", article.description),
        ("QUANTITY", oci_number(quantity)),
        ("UNIT", article.unit),
        ("PRICE", price),
        ("CURRENCY", CURRENCY),
        ("PRICEUNIT", price_unit),
        ("LEADTIME", str(article.lead_time)),
        ("VENDOR", vendor),
        ("VENDORMAT", article.supplier_part_id),
        ("MANUFACTCODE", article.manufacturer_name),
        ("MANUFACTMAT", article.manufacturer_part_id),
        ("MATGROUP", matgroup if len(matgroup) <= MAX_LENGTHS["MATGROUP"] else ""),
        ("EXT_SCHEMA_TYPE", "UNSPSC"),
        ("EXT_CATEGORY_ID", article.unspsc),
        ("EXT_PRODUCT_ID", article.supplier_part_id),
    ]
    fields: list[Field] = []
    for name, value in values:
        limit = MAX_LENGTHS[name]
        if name in CLIPPED:
            value = clip(value, limit)
        elif name in OMITTED_WHEN_LONG and len(value) > limit:
            value = ""
        elif len(value) > limit:
            raise ValueError(f"{article.supplier_part_id}: {name} {value!r} is over {limit}")
        if value:
            fields.append((f"NEW_ITEM-{name}[{number}]", value))
    if len(article.description) > MAX_LENGTHS["DESCRIPTION"]:
        fields.append((f"NEW_ITEM-LONGTEXT_{number}:132[]", article.description))
    return fields


def basket_fields(
    hook_params: Iterable[Field], items: Iterable[tuple[Article, Decimal]], vendor: str
) -> list[Field]:
    """HOOK_URL's own query parameters echoed first, then every line's fields."""
    fields = list(hook_params)
    for number, (article, quantity) in enumerate(items, start=1):
        fields.extend(item_fields(number, article, quantity, vendor))
    return fields


# --- the form a browser submits ---------------------------------------------------------------

#: Bytes a browser leaves as they are in application/x-www-form-urlencoded (WHATWG URL spec).
URLENCODED_SAFE = frozenset(b"*-._0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def _normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n")


def _urlencode_value(text: str, codec: str) -> str:
    data = _normalize_newlines(text).encode(codec, "xmlcharrefreplace")
    return "".join(
        "+" if byte == 0x20 else chr(byte) if byte in URLENCODED_SAFE else f"%{byte:02X}"
        for byte in data
    )


def browser_body(fields: Sequence[Field], codec: str) -> str:
    """The body (or query string) a browser sends for these fields from a page in ``codec``:
    characters the charset lacks become ``&#N;``, as browsers do."""
    return "&".join(
        f"{_urlencode_value(name, codec)}={_urlencode_value(value, codec)}"
        for name, value in fields
    )


@dataclass(frozen=True)
class OciForm:
    action: str
    method: str
    target: str
    accept_charset: str  # the label the call asked for
    page_charset: str  # the label the page announces
    codec: str
    fields: list[Field]

    @property
    def body(self) -> str:
        return browser_body(self.fields, self.codec)

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {
            "action": self.action,
            "method": self.method,
            "target": self.target,
            "charset": self.page_charset,
            "fields": [[name, value] for name, value in self.fields],
            "body": self.body,
        }
        if self.method == "get":
            data["url"] = f"{self.action}?{self.body}"
        return data


def hook_form(
    context: OciContext, method: str, items: Iterable[tuple[Article, Decimal]], vendor: str
) -> OciForm:
    """The form back to HOOK_URL (no action and no echoed parameters when there is none).

    Echoed: HOOK_URL's own query parameters, then every ``~`` parameter that came as a call
    parameter of its own (SAP SRM sends ``~OkCode``, ``~TARGET``, ``~CALLER`` so) and is not
    already among them."""
    hook = context.hook
    echoed = list(hook.params) if hook else []
    if hook:
        known = {name.lower() for name, _ in echoed}
        echoed += [(n, v) for n, v in context.tilde_params if n.lower() not in known]
    return OciForm(
        action=hook.base if hook else "",
        method=method,
        target=context.target,
        accept_charset=context.charset_label,
        page_charset=context.page_charset,
        codec=context.codec,
        fields=basket_fields(echoed, items, vendor),
    )
