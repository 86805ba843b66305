"""Parse untrusted cXML into the typed messages of :mod:`punchout.cxml.model`.

All bytes go through :func:`punchout.safexml.parse_untrusted` (the one hardened parser); its
errors become :class:`CXMLSyntaxError` (cXML status 406). A well-formed document that is not
acceptable raises :class:`CXMLStructureError` (status 400) naming the offending location, e.g.
``/cXML/Message/PunchOutOrderMessage/ItemIn[2]/@quantity: 'abc' is not a number``.

The parser accepts what real systems send rather than what the DTD says to the letter: any cXML
version (1.1.0xx to 1.2.0xx), DOCTYPE or not, XML declaration or not, ``xml:lang=""``, a
``-00:00`` zone, several credentials per party, a ``Classification`` code in its ``code``
attribute or in its text. It checks what the DTD does not: that numbers are finite decimals and
currencies look like ISO 4217 codes. Business rules (positive quantities, one currency, totals
that add up, known units) belong to the domain layer, not here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Generic, TypeVar

from lxml import etree

from punchout.cxml._common import XML_LANG, inner_xml
from punchout.cxml.errors import CXMLStructureError, CXMLSyntaxError, FormFieldError
from punchout.cxml.model import (
    Address,
    Classification,
    Contact,
    Credential,
    DeploymentMode,
    Envelope,
    Extrinsic,
    Header,
    Item,
    ItemDetail,
    ItemID,
    Money,
    Operation,
    PriceBasisQuantity,
    PunchOutOrderMessage,
    PunchOutSetupRequest,
    PunchOutSetupResponse,
    Status,
)
from punchout.formdata import (
    CXML_FIELDS,
    FormBodyError,
    RawField,
    XmlFieldError,
    raw_fields,
    xml_in_fields,
    xml_in_form,
)
from punchout.safexml import (
    DEFAULT_MAX_BYTES,
    XMLSecurityError,
    XMLSyntaxError,
    doctype_system_url,
    parse_untrusted,
)

#: The form field names a basket may arrive in, compared case-insensitively.
BASE64_FIELD = CXML_FIELDS.base64
URLENCODED_FIELD = CXML_FIELDS.urlencoded
#: A basket form has a handful of fields; more is not a basket.
MAX_FORM_FIELDS = 1000

_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_UINT = re.compile(r"[0-9]+")
#: Bounds on numbers (quantities, prices; line numbers and lead times).
MAX_INTEGER_DIGITS = 15
MAX_DECIMALS = 8
MAX_UINT_DIGITS = 9
#: A number that is within MAX_INTEGER_DIGITS and MAX_DECIMALS by its shape alone.
_PLAIN_NUMBER = re.compile(rf"[+-]?[0-9]{{1,{MAX_INTEGER_DIGITS}}}(?:\.[0-9]{{0,{MAX_DECIMALS}}})?")
_CURRENCY = re.compile(r"[A-Za-z]{3}")
_DOCTYPE_VERSION = re.compile(r"/cXML/([0-9]+(?:\.[0-9]+)+)/")
_ALWAYS_INDEXED = frozenset({"ItemIn", "ItemOut"})
_ORDER_OPERATIONS = (Operation.CREATE, Operation.INSPECT, Operation.EDIT)

T = TypeVar("T")


# --- public parsers --------------------------------------------------------------------------


def parse_setup_request(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> PunchOutSetupRequest:
    """Parse a ``Request/PunchOutSetupRequest`` document (what a supplier receives)."""
    root = _parse_xml(data, max_bytes)
    envelope = parse_envelope(root)
    request = _expect_body(root, "Request", "a PunchOutSetupRequest")
    header = parse_header(_require(root, "Header"))
    setup = _require(request, "PunchOutSetupRequest")
    operation = _operation(setup, "operation", tuple(Operation))
    form_post = _child(setup, "BrowserFormPost")
    ship_to = _child(setup, "ShipTo")
    selected = _child(setup, "SelectedItem")
    return PunchOutSetupRequest(
        header=header,
        buyer_cookie=inner_xml(_require(setup, "BuyerCookie")),
        browser_form_post_url=_text(_require(form_post, "URL")) if form_post is not None else None,
        operation=operation,
        extrinsics=_extrinsics(setup),
        contacts=tuple(_contact(c) for c in _children(setup, "Contact")),
        ship_to=_address(_require(ship_to, "Address")) if ship_to is not None else None,
        selected_item=_item_id(_require(selected, "ItemID")) if selected is not None else None,
        items_out=tuple(_item(el) for el in _children(setup, "ItemOut")),
        deployment_mode=_deployment_mode(request),
        envelope=envelope,
    )


def parse_setup_response(
    data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES
) -> PunchOutSetupResponse:
    """Parse the supplier's answer to a setup request.

    A ``Response`` whose status is not 2xx is a normal outcome (wrong secret, unknown buyer...):
    it comes back as a :class:`PunchOutSetupResponse` with that status and no start page. Only a
    document that is not a cXML ``Response`` at all, or a 2xx without a ``StartPage/URL``, raises.
    """
    root = _parse_xml(data, max_bytes)
    envelope = parse_envelope(root)
    response = _expect_body(root, "Response", "a PunchOutSetupResponse")
    status = parse_status(_require(response, "Status"))
    if not status.ok:
        return PunchOutSetupResponse(status=status, start_page_url=None, envelope=envelope)
    url_el = _require(_require(_require(response, "PunchOutSetupResponse"), "StartPage"), "URL")
    url = _text(url_el)
    if not url:
        raise _error(url_el, "the StartPage URL is empty")
    return PunchOutSetupResponse(status=status, start_page_url=url, envelope=envelope)


def parse_order_message(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> PunchOutOrderMessage:
    """Parse a ``Message/PunchOutOrderMessage`` (the basket a supplier sends back).

    Zero ``ItemIn`` is a valid (empty) basket. A ``Message/Status`` of 204 means the user left
    without changing anything: such a message may not carry items. ``Header`` is required by the
    DTD but carries no trust in a browser-posted basket, so a basket without one is accepted
    with ``header=None``. (The gateway reads its baskets with
    :func:`punchout.cxml.basket.read_order_basket`: the same checks, straight into domain lines.)
    """
    parts = read_order_parts(data, _item, max_bytes=max_bytes)
    return PunchOutOrderMessage(
        header=parts.header,
        buyer_cookie=parts.buyer_cookie,
        operation_allowed=parts.operation_allowed,
        total=parts.total,
        items=parts.items,
        shipping=parts.shipping,
        tax=parts.tax,
        status=parts.status,
        deployment_mode=parts.deployment_mode,
        envelope=parts.envelope,
    )


@dataclass(frozen=True)
class OrderParts(Generic[T]):
    """A PunchOutOrderMessage with its ``ItemIn`` read by a reader of the caller's choice."""

    envelope: Envelope
    status: Status
    header: Header | None
    buyer_cookie: str
    operation_allowed: Operation
    total: Money
    items: tuple[T, ...]
    shipping: Money | None
    tax: Money | None
    deployment_mode: DeploymentMode


def read_order_parts(data: bytes, read_item: Callable[[etree._Element], T], *,
                     max_bytes: int = DEFAULT_MAX_BYTES) -> OrderParts[T]:
    """The one reading of a PunchOutOrderMessage: every check, in one order, whatever becomes of
    the items (``read_item`` is called once per ``ItemIn``, in document order, after the total
    and before shipping and tax are read, so a document with several faults is refused for the
    same one whichever reader runs)."""
    root = _parse_xml(data, max_bytes)
    envelope = parse_envelope(root)
    message = _expect_body(root, "Message", "a PunchOutOrderMessage")
    header_el = _child(root, "Header")
    status_el = _child(message, "Status")
    status = parse_status(status_el) if status_el is not None else Status(200, "OK")
    poom = _require(message, "PunchOutOrderMessage")
    head = _require(poom, "PunchOutOrderMessageHeader")
    shipping = _child(head, "Shipping")
    tax = _child(head, "Tax")
    item_els = _children(poom, "ItemIn")
    if status.code == 204 and item_els:
        raise _error(item_els[0], "a Message with Status 204 (cart unchanged) must not carry items")
    header = parse_header(header_el) if header_el is not None else None
    buyer_cookie = inner_xml(_require(poom, "BuyerCookie"))
    operation = _operation(head, "operationAllowed", _ORDER_OPERATIONS)
    total = _money(_require(_require(head, "Total"), "Money"))
    items = tuple(map(read_item, item_els))
    return OrderParts(
        envelope=envelope,
        status=status,
        header=header,
        buyer_cookie=buyer_cookie,
        operation_allowed=operation,
        total=total,
        items=items,
        shipping=_money(_require(shipping, "Money")) if shipping is not None else None,
        tax=_money(_require(tax, "Money")) if tax is not None else None,
        deployment_mode=_deployment_mode(message),
    )


def parse_response_status(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Status:
    """The ``Status`` of a plain cXML ``Response`` (e.g. a supplier's answer to an order)."""
    root = _parse_xml(data, max_bytes)
    parse_envelope(root)
    response = _expect_body(root, "Response", "a Response")
    return parse_status(_require(response, "Status"))


def parse_envelope(root: etree._Element) -> Envelope:
    """The root attributes (``payloadID``, ``timestamp``, ``version``, ``xml:lang``) and the
    DOCTYPE's version. Raises :class:`CXMLStructureError` when the root is not ``cXML``."""
    name = _local(root)
    if name != "cXML":
        raise CXMLStructureError(
            f"the root element is <{name}>, expected <cXML>",
            f"/{name}",
            line=root.sourceline,
        )
    system_url = doctype_system_url(root)
    match = _DOCTYPE_VERSION.search(system_url or "")
    doctype_version = match.group(1) if match else None
    version = root.get("version")
    return Envelope(
        payload_id=_required_attr(root, "payloadID").strip(),
        timestamp=_required_attr(root, "timestamp").strip(),
        # Without the attribute the DTD's default applies: the version the DOCTYPE names.
        version=version.strip() if version is not None else (doctype_version or ""),
        lang=root.get(XML_LANG),
        doctype_version=doctype_version,
    )


def parse_status(node: etree._Element) -> Status:
    """A :class:`Status` from a ``Status`` element, or from the ``Response``/``Message`` or
    ``cXML`` root holding one (a ``Message`` without ``Status`` means 200 OK)."""
    name = _local(node)
    if name == "cXML":
        body = _child(node, "Response")
        if body is None:
            body = _child(node, "Message")
        if body is None:
            raise _error(node, "required element Response or Message is missing")
        return parse_status(body)
    if name in ("Response", "Message"):
        status_el = _child(node, "Status")
        if status_el is None:
            if name == "Message":
                return Status(200, "OK")
            raise _missing(node, "Status")
        node = status_el
    if _local(node) != "Status":
        raise _error(node, "expected a Status element")
    return Status(
        code=_uint(_required_attr(node, "code"), node, "code"),
        text=(node.get("text") or "").strip(),
        message=_text(node),
    )


def parse_header(el: etree._Element) -> Header:
    """``Header``: every ``Credential`` of ``From`` and ``To``, the first one of ``Sender``."""
    from_ = _credentials(_require(el, "From"))
    to = _credentials(_require(el, "To"))
    sender_el = _require(el, "Sender")
    user_agent = _child(sender_el, "UserAgent")
    return Header(
        from_=from_,
        to=to,
        sender=_credentials(sender_el)[0],
        user_agent=_text(user_agent) if user_agent is not None else "",
    )


def parse_cxml_timestamp(value: str, path: str | None = None) -> datetime:
    """An aware datetime from a cXML timestamp; a timestamp without a zone is refused.

    The parsers keep ``Envelope.timestamp`` as the text they saw; call this where the time
    matters. ``Z``, ``+01:00`` and the ``-00:00`` some clients send are all accepted.
    """
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise CXMLStructureError(f"{value!r} is not an ISO 8601 timestamp", path) from None
    if parsed.tzinfo is None:
        raise CXMLStructureError(f"{value!r} has no time zone", path)
    return parsed


# --- the browser-posted basket form ----------------------------------------------------------
#
# The field is ``cxml-base64`` or ``cxml-urlencoded`` in any letter case; base64 wins when both
# are there because it carries the exact bytes. The decoding is :mod:`punchout.formdata`'s, the
# same for a Peppol cart; here its error becomes this codec's (a 400).


def read_basket_form(fields: Mapping[str, str | Sequence[str]]) -> bytes:
    """The cXML bytes of a basket posted by the browser, from the form decoded to text
    (Werkzeug's ``request.form`` works; a plain dict of lists does too): see
    :func:`punchout.formdata.xml_in_form`."""
    try:
        return xml_in_form(fields, CXML_FIELDS)
    except XmlFieldError as exc:
        raise FormFieldError(str(exc)) from None


def read_basket_form_body(body: bytes, charset: str = "utf-8",
                          content_type: str | None = None) -> bytes:
    """Like :func:`read_basket_form`, from a raw form body (urlencoded unless ``content_type``
    says multipart), through the one form decoder :mod:`punchout.formdata`."""
    try:
        fields = raw_fields(body, content_type, max_fields=MAX_FORM_FIELDS)
    except FormBodyError as exc:
        raise FormFieldError(f"unreadable form body: {exc}") from None
    return read_basket_form_fields(fields, charset)


def read_basket_form_fields(fields: Sequence[RawField], charset: str = "utf-8") -> bytes:
    """The cXML bytes from form fields still in bytes, each decoded on its own: a
    ``cxml-urlencoded`` value is strict UTF-8, else in the encoding its XML declaration names,
    else in ``charset`` (see :func:`punchout.formdata.xml_in_fields`)."""
    try:
        return xml_in_fields(fields, CXML_FIELDS, charset)
    except XmlFieldError as exc:
        raise FormFieldError(str(exc)) from None


# --- XML helpers -----------------------------------------------------------------------------


def _parse_xml(data: bytes, max_bytes: int) -> etree._Element:
    try:
        return parse_untrusted(data, max_bytes=max_bytes)
    except XMLSecurityError as exc:
        line, column = _lxml_position(exc)
        raise CXMLSyntaxError(f"unsafe XML refused: {exc}", line=line, column=column) from exc
    except XMLSyntaxError as exc:
        message = str(exc)
        suffix = f" (line {exc.line}, column {exc.column})"
        if exc.line and message.endswith(suffix):
            message = message[: -len(suffix)]
        raise CXMLSyntaxError(
            f"not well-formed XML: {message}", line=exc.line, column=exc.column
        ) from exc


def _lxml_position(exc: BaseException) -> tuple[int | None, int | None]:
    """Line and column of the libxml2 error behind a safexml error, when there is one."""
    context = exc.__cause__ or exc.__context__
    if isinstance(context, etree.XMLSyntaxError) and context.position:
        line, column = context.position
        return line, column
    return None, None


def _local(el: etree._Element) -> str:
    """The tag without a namespace (cXML has none; tolerate one). Plain string work: this runs
    for every element of a 1,000-line basket, where ``etree.QName`` was the hot spot."""
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag if tag[:1] != "{" else tag.rpartition("}")[2]


def _children(el: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in el if _local(c) == name]


def _child(el: etree._Element, name: str) -> etree._Element | None:
    for c in el:
        if _local(c) == name:
            return c
    return None


def _path(el: etree._Element) -> str:
    parts: list[str] = []
    node: etree._Element | None = el
    while node is not None:
        name = _local(node)
        parent = node.getparent()
        if parent is not None:
            same = _children(parent, name)
            if len(same) > 1 or name in _ALWAYS_INDEXED:
                name = f"{name}[{same.index(node) + 1}]"
        parts.append(name)
        node = parent
    return "/" + "/".join(reversed(parts))


def _error(el: etree._Element, message: str, step: str | None = None) -> CXMLStructureError:
    path = _path(el) + (f"/{step}" if step else "")
    return CXMLStructureError(message, path, line=el.sourceline)


def _missing(parent: etree._Element, name: str) -> CXMLStructureError:
    return _error(parent, "required element is missing", name)


def _require(el: etree._Element, name: str) -> etree._Element:
    child = _child(el, name)
    if child is None:
        raise _missing(el, name)
    return child


def _expect_body(root: etree._Element, name: str, what: str) -> etree._Element:
    body = _child(root, name)
    if body is not None:
        return body
    found = [_local(c) for c in root if _local(c) in ("Request", "Response", "Message")]
    seen = f", found <{found[0]}>" if found else ""
    raise _error(root, f"expected a cXML {name} holding {what}{seen}", name)


def _required_attr(el: etree._Element, name: str) -> str:
    value: str | None = el.get(name)
    if value is None:
        raise _error(el, "required attribute is missing", f"@{name}")
    return value


def _text(el: etree._Element) -> str:
    if not len(el):  # a leaf (comments are removed by the parser): no need to walk it
        return (el.text or "").strip()
    return "".join(el.itertext()).strip()


def _decimal(value: str, el: etree._Element, step: str | None = None) -> Decimal:
    if _PLAIN_NUMBER.fullmatch(value):
        # Within both bounds by its shape: the common case, without the checks below.
        return Decimal(value)
    text = value.strip()
    if not _NUMBER.fullmatch(text):
        shown = repr(value) if text else "empty"
        raise _error(el, f"{shown} is not a number", step)
    try:
        number = Decimal(text)
    except InvalidOperation:  # pragma: no cover - the pattern only lets numbers through
        raise _error(el, f"{value!r} is not a number", step) from None
    # Money and quantities beyond these bounds are no purchase, and unbounded ones (1E+1000000)
    # would make every later sum fail.
    if number and number.adjusted() >= MAX_INTEGER_DIGITS:
        raise _error(el, f"{value.strip()!r} is too large (at most {MAX_INTEGER_DIGITS} digits "
                     "before the decimal point)", step)
    exponent = number.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > MAX_DECIMALS:
        raise _error(el, f"{value.strip()!r} has more than {MAX_DECIMALS} decimals", step)
    return number


def _uint(value: str, el: etree._Element, attr: str | None = None) -> int:
    text = value.strip()
    step = f"@{attr}" if attr else None
    if not _UINT.fullmatch(text):
        shown = repr(value) if text else "empty"
        raise _error(el, f"{shown} is not a whole number", step)
    if len(text.lstrip("0")) > MAX_UINT_DIGITS:
        raise _error(el, f"{text!r} is too large (at most {MAX_UINT_DIGITS} digits)", step)
    return int(text)


def _optional_uint(el: etree._Element, attr: str) -> int | None:
    value = el.get(attr)
    if value is None or not value.strip():
        return None
    return _uint(value, el, attr)


def _currency(el: etree._Element, attr: str, *, required: bool) -> str | None:
    value: str | None = el.get(attr)
    if value is None:
        if required:
            raise _error(el, "required attribute is missing", f"@{attr}")
        return None
    code = value.strip()
    if not _CURRENCY.fullmatch(code):
        raise _error(el, f"{value!r} is not an ISO 4217 currency code", f"@{attr}")
    return code


def _money(el: etree._Element) -> Money:
    currency = _currency(el, "currency", required=True)
    assert currency is not None
    amount = _decimal(_text(el), el)
    alternate = el.get("alternateAmount")
    return Money(
        amount=amount,
        currency=currency,
        alternate_amount=(
            _decimal(alternate, el, "@alternateAmount")
            if alternate is not None and alternate.strip()
            else None
        ),
        alternate_currency=_currency(el, "alternateCurrency", required=False),
    )


def _amount(el: etree._Element) -> tuple[Decimal, str]:
    """What a basket line keeps of a ``Money`` (amount, currency), checked as :func:`_money`
    checks it, without building the :class:`Money`."""
    currency = _currency(el, "currency", required=True)
    assert currency is not None
    amount = _decimal(_text(el), el)
    alternate = el.get("alternateAmount")
    if alternate is not None and alternate.strip():
        _decimal(alternate, el, "@alternateAmount")
    _currency(el, "alternateCurrency", required=False)
    return amount, currency


def _operation(el: etree._Element, attr: str, allowed: tuple[Operation, ...]) -> Operation:
    value = _required_attr(el, attr)
    for op in allowed:
        if value.strip().lower() == op.value:
            return op
    choices = " | ".join(op.value for op in allowed)
    raise _error(el, f"{value!r} is not one of {choices}", f"@{attr}")


def _deployment_mode(el: etree._Element) -> DeploymentMode:
    value = el.get("deploymentMode")
    if value is None or not value.strip():
        return DeploymentMode.PRODUCTION
    for mode in DeploymentMode:
        if value.strip().lower() == mode.value:
            return mode
    raise _error(el, f"{value!r} is not production | test", "@deploymentMode")


def _credentials(party: etree._Element) -> tuple[Credential, ...]:
    creds = _children(party, "Credential")
    if not creds:
        raise _missing(party, "Credential")
    result = []
    for cred in creds:
        secret = _child(cred, "SharedSecret")
        result.append(
            Credential(
                domain=_required_attr(cred, "domain").strip(),
                identity=_text(_require(cred, "Identity")),
                shared_secret=_text(secret) if secret is not None else None,
            )
        )
    return tuple(result)


def _extrinsic(e: etree._Element) -> Extrinsic:
    return Extrinsic(name=_required_attr(e, "name").strip(), value=_text(e))


def _extrinsics(el: etree._Element) -> tuple[Extrinsic, ...]:
    return tuple(_extrinsic(e) for e in _children(el, "Extrinsic"))


def _contact(el: etree._Element) -> Contact:
    name = _require(el, "Name")
    email = _child(el, "Email")
    role = el.get("role")
    return Contact(
        name=_text(name),
        email=_text(email) if email is not None else None,
        role=role.strip() if role else None,
        lang=name.get(XML_LANG, "sv"),
    )


def _address(el: etree._Element) -> Address:
    name = _require(el, "Name")
    defaults = Address()
    country_code = (el.get("isoCountryCode") or "").strip() or defaults.country_code
    country_name = defaults.country_name
    deliver_to: tuple[str, ...] = ()
    street: tuple[str, ...] = ()
    city = postal_code = ""
    postal = _child(el, "PostalAddress")
    if postal is not None:
        deliver_to = tuple(_text(d) for d in _children(postal, "DeliverTo"))
        street = tuple(_text(s) for s in _children(postal, "Street"))
        city_el = _child(postal, "City")
        city = _text(city_el) if city_el is not None else ""
        code_el = _child(postal, "PostalCode")
        postal_code = _text(code_el) if code_el is not None else ""
        country = _child(postal, "Country")
        if country is not None:
            country_name = _text(country)
            country_code = (country.get("isoCountryCode") or "").strip() or country_code
    return Address(
        address_id=el.get("addressID"),
        name=_text(name),
        lang=name.get(XML_LANG, defaults.lang),
        deliver_to=deliver_to,
        street=street,
        city=city,
        postal_code=postal_code,
        country_code=country_code,
        country_name=country_name,
    )


def _item_id(el: etree._Element) -> ItemID:
    aux = _child(el, "SupplierPartAuxiliaryID")
    return ItemID(
        supplier_part_id=_text(_require(el, "SupplierPartID")),
        # Exactly as the supplier sent it, markup and whitespace included: it goes back to them.
        supplier_part_auxiliary_id=inner_xml(aux) if aux is not None else None,
    )


def _item(el: etree._Element) -> Item:
    """``ItemIn`` or ``ItemOut``."""
    return Item(
        quantity=_decimal(_required_attr(el, "quantity"), el, "@quantity"),
        item_id=_item_id(_require(el, "ItemID")),
        detail=_item_detail(_require(el, "ItemDetail")),
        line_number=_optional_uint(el, "lineNumber"),
        parent_line_number=_optional_uint(el, "parentLineNumber"),
    )


def _description(el: etree._Element) -> tuple[str, str | None]:
    """The text of a mixed ``Description`` without its ``ShortName``, and the ``ShortName``."""
    parts = [el.text or ""]
    short_name: str | None = None
    for child in el:
        if isinstance(child.tag, str):
            if _local(child) == "ShortName":
                if short_name is None:
                    short_name = _text(child) or None
            else:
                parts.append("".join(child.itertext()))
        parts.append(child.tail or "")
    return "".join(parts).strip(), short_name


def _index(el: etree._Element) -> dict[str, list[etree._Element]]:
    """Children by local name, in one pass (an ItemDetail is looked up a dozen times)."""
    found: dict[str, list[etree._Element]] = {}
    for child in el:
        name = _local(child)
        if name:
            found.setdefault(name, []).append(child)
    return found


def _item_detail(el: etree._Element) -> ItemDetail:
    kids = _index(el)

    def one(name: str) -> etree._Element | None:
        return kids[name][0] if name in kids else None

    descriptions = kids.get("Description")
    if not descriptions:
        raise _missing(el, "Description")
    # Several languages may be given; a Swedish buyer reads the Swedish one if there is one.
    chosen = next(
        (d for d in descriptions if (d.get(XML_LANG) or "").lower().startswith("sv")),
        descriptions[0],
    )
    description, short_name = _description(chosen)
    unit_price = one("UnitPrice")
    unit = one("UnitOfMeasure")
    if unit_price is None:
        raise _missing(el, "UnitPrice")
    if unit is None:
        raise _missing(el, "UnitOfMeasure")
    basis = one("PriceBasisQuantity")
    manufacturer_part = one("ManufacturerPartID")
    manufacturer = one("ManufacturerName")
    url = one("URL")
    lead_time = one("LeadTime")
    return ItemDetail(
        unit_price=_money(_require(unit_price, "Money")),
        description=description,
        unit_of_measure=_text(unit),
        description_lang=chosen.get(XML_LANG, ""),
        short_name=short_name,
        price_basis_quantity=_price_basis(basis) if basis is not None else None,
        classifications=tuple(_classification(c) for c in kids.get("Classification", ())),
        manufacturer_part_id=_text(manufacturer_part) if manufacturer_part is not None else None,
        manufacturer_name=_text(manufacturer) if manufacturer is not None else None,
        url=_text(url) if url is not None else None,
        lead_time=_uint(_text(lead_time), lead_time) if lead_time is not None else None,
        extrinsics=tuple(_extrinsic(x) for x in kids.get("Extrinsic", ())),
    )


def _price_basis(el: etree._Element) -> PriceBasisQuantity:
    return PriceBasisQuantity(
        quantity=_decimal(_required_attr(el, "quantity"), el, "@quantity"),
        conversion_factor=_decimal(_required_attr(el, "conversionFactor"), el, "@conversionFactor"),
        unit_of_measure=_text(_require(el, "UnitOfMeasure")),
    )


def _classification(el: etree._Element) -> Classification:
    code = (el.get("code") or "").strip() or _text(el)
    return Classification(domain=_required_attr(el, "domain").strip(), code=code)


__all__ = [
    "BASE64_FIELD",
    "URLENCODED_FIELD",
    "parse_cxml_timestamp",
    "parse_envelope",
    "parse_header",
    "parse_order_message",
    "parse_response_status",
    "parse_setup_request",
    "parse_setup_response",
    "parse_status",
    "read_basket_form",
    "read_basket_form_body",
    "read_basket_form_fields",
]
