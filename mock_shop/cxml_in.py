"""Reading a PunchOutSetupRequest, written for the mock shop alone (no punchout.cxml).

Lenient where real buyers are sloppy (``xml:lang=""``, ``-00:00`` zones, old versions, no
DOCTYPE), strict where it matters (credentials, BuyerCookie, BrowserFormPost).
"""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from lxml import etree

from .safe_xml import parse_xml
from .sessions import OPERATIONS, Credential
from .xmlcontent import XmlContent

MAX_SETUP_BYTES = 5 * 1024 * 1024
VERSION_RE = re.compile(r"^1\.[12](\.\d+)?$")


class SetupError(Exception):
    """A setup request we answer with a cXML error Status."""

    def __init__(self, code: int, text: str, message: str):
        super().__init__(message)
        self.code = code
        self.text = text
        self.message = message


def _bad(message: str) -> SetupError:
    return SetupError(400, "Bad Request", message)


@dataclass(frozen=True)
class ItemOutLine:
    supplier_part_id: str
    quantity: Decimal
    aux: XmlContent | None
    line_number: str | None


@dataclass
class SetupRequest:
    payload_id: str
    version: str | None
    from_credentials: list[Credential]
    to_credentials: list[Credential]
    sender_identity: str
    shared_secret: str = field(repr=False)
    deployment_mode: str = "production"
    operation: str = "create"
    buyer_cookie: XmlContent = XmlContent("")
    browser_form_post: str = ""
    extrinsics: dict[str, str] = field(default_factory=dict)
    selected_part_id: str | None = None
    items: list[ItemOutLine] = field(default_factory=list)
    skipped_items: list[str] = field(default_factory=list)

    @property
    def user_email(self) -> str | None:
        return self.extrinsics.get("UserEmail")


def _text(element: etree._Element | None) -> str:
    """All text inside an element (Identity and SharedSecret are ANY), trimmed."""
    if element is None:
        return ""
    return "".join(element.itertext()).strip()


def _credentials(parent: etree._Element | None) -> list[Credential]:
    if parent is None:
        return []
    return [
        Credential(c.get("domain", ""), _text(c.find("Identity")))
        for c in parent.findall("Credential")
    ]


def parse_setup_request(data: bytes) -> tuple[SetupRequest, etree._Element]:
    """Parse the envelope of a setup request; the credentials are checked separately."""
    try:
        root = parse_xml(data, max_bytes=MAX_SETUP_BYTES)
    except ValueError as exc:  # UnsafeXml
        raise SetupError(406, "Not Acceptable", f"Unreadable cXML: {exc}") from None
    if root.tag != "cXML":
        raise _bad(f"Root element is <{root.tag}>, not <cXML>")
    version = root.get("version")
    if version is not None and not VERSION_RE.match(version.strip()):
        raise _bad(f"Unsupported cXML version {version!r}")
    header = root.find("Header")
    if header is None:
        raise _bad("The cXML document has no Header")
    sender = header.find("Sender")
    secret_credential = None
    if sender is not None:
        for credential in sender.findall("Credential"):
            if credential.find("SharedSecret") is not None:
                secret_credential = credential
                break
    return SetupRequest(
        payload_id=root.get("payloadID", ""),
        version=version,
        from_credentials=_credentials(header.find("From")),
        to_credentials=_credentials(header.find("To")),
        sender_identity=_text(sender.find("Credential/Identity")) if sender is not None else "",
        shared_secret=_text(
            secret_credential.find("SharedSecret") if secret_credential is not None else None
        ),
    ), root


def authenticate(request: SetupRequest, buyers: dict[str, str], *,
                 any_secret: bool = False) -> str:
    """The From identity whose configured secret matches the Sender's SharedSecret.

    Raises SetupError 401 for an unknown buyer, an empty or ``none`` secret, or a wrong one.
    Every candidate is compared in constant time. ``any_secret`` (the ``accept-any-secret``
    fault) lets a known identity in with any secret at all.
    """
    given = request.shared_secret
    unauthorized = SetupError(401, "Unauthorized", "Unknown buyer or wrong shared secret")
    if any_secret:
        for credential in request.from_credentials:
            if credential.identity in buyers:
                return credential.identity
        raise unauthorized
    if not given or given.casefold() == "none":
        raise unauthorized
    matched = None
    for credential in request.from_credentials:
        expected = buyers.get(credential.identity)
        if expected is None:
            continue
        if hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")) and not matched:
            matched = credential.identity
    if matched is None:
        raise unauthorized
    return matched


def requested_fault(root: etree._Element) -> str | None:
    """The fault a setup request asks for with ``<Extrinsic name="MockShopFault">`` (tests)."""
    for extrinsic in root.iterfind("Request/PunchOutSetupRequest/Extrinsic"):
        if extrinsic.get("name") == "MockShopFault":
            return _text(extrinsic) or None
    return None


def _http_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def read_punchout_request(request: SetupRequest, root: etree._Element) -> None:
    """Fill ``request`` from the PunchOutSetupRequest element (after authentication)."""
    req = root.find("Request")
    setup = req.find("PunchOutSetupRequest") if req is not None else None
    if setup is None:
        found = req[0].tag if req is not None and len(req) else "nothing"
        raise _bad(f"Expected a PunchOutSetupRequest, found {found}")
    mode = req.get("deploymentMode", "production")
    request.deployment_mode = mode if mode in ("production", "test") else "production"

    operation = setup.get("operation", "")
    if operation not in OPERATIONS:
        raise _bad(f"Operation {operation!r} is not supported (create, edit or inspect)")
    request.operation = operation

    cookie = setup.find("BuyerCookie")
    if cookie is None:
        raise _bad("BuyerCookie is missing")
    request.buyer_cookie = XmlContent.from_element(cookie)
    if not request.buyer_cookie.value.strip():
        raise _bad("BuyerCookie is empty")

    url = _text(setup.find("BrowserFormPost/URL"))
    if not url:
        raise _bad("BrowserFormPost URL is missing")
    if not _http_url(url):
        raise _bad("BrowserFormPost URL must be an absolute http(s) URL")
    request.browser_form_post = url

    for extrinsic in setup.findall("Extrinsic"):
        name = extrinsic.get("name")
        if name and name not in request.extrinsics:
            request.extrinsics[name] = _text(extrinsic)

    selected = _text(setup.find("SelectedItem/ItemID/SupplierPartID"))
    request.selected_part_id = selected or None

    if operation in ("edit", "inspect"):
        for position, item in enumerate(setup.findall("ItemOut"), start=1):
            part_id = _text(item.find("ItemID/SupplierPartID"))
            raw_quantity = item.get("quantity", "")
            try:
                quantity = Decimal(raw_quantity.strip())
            except InvalidOperation:
                quantity = Decimal(0)
            if not part_id or not quantity.is_finite() or quantity <= 0:
                request.skipped_items.append(
                    f"Rad {item.get('lineNumber') or position} i din tidigare varukorg gick "
                    "inte att läsa och utelämnades."
                )
                continue
            aux_element = item.find("ItemID/SupplierPartAuxiliaryID")
            request.items.append(
                ItemOutLine(
                    supplier_part_id=part_id,
                    quantity=quantity,
                    aux=XmlContent.from_element(aux_element) if aux_element is not None else None,
                    line_number=item.get("lineNumber"),
                )
            )
