"""Reading an OCI call: login parameters, the untrusted HOOK_URL, charset, target and FUNCTION."""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from .oci_config import OciSettings

FUNCTIONS = ("DETAIL", "VALIDATE", "BACKGROUND_SEARCH")
MAX_HOOK_URL = 4096
DEFAULT_TARGET = "_top"

#: Charset labels a call may ask for: (Python codec, the label announced on the page).
#: Browsers treat iso-8859-1, latin1 and ascii as windows-1252, so the shop does too.
CHARSETS: dict[str, tuple[str, str]] = {
    **{label: ("utf-8", "utf-8") for label in ("utf-8", "utf8", "unicode-1-1-utf-8")},
    **{
        label: ("cp1252", "windows-1252")
        for label in (
            "windows-1252",
            "cp1252",
            "x-cp1252",
            "iso-8859-1",
            "iso8859-1",
            "iso_8859-1",
            "iso-ir-100",
            "latin1",
            "latin-1",
            "l1",
            "cp819",
            "ibm819",
            "ascii",
            "us-ascii",
        )
    },
}


class OciRefused(Exception):
    """A call the shop will not serve: an HTTP status, a page title and a text fit to show."""

    def __init__(self, status: int, code: str, title: str, text: str):
        super().__init__(text)
        self.status = status
        self.code = code
        self.title = title
        self.text = text


@dataclass(frozen=True)
class HookUrl:
    raw: str
    base: str  # scheme://host[:port]/path, without query or fragment: the form's action
    params: tuple[tuple[str, str], ...]  # HOOK_URL's own query (~OkCode, ~TARGET, ~CALLER, ...)


@dataclass(frozen=True)
class OciContext:
    """What an OCI shopping session keeps from its call, to answer at checkout."""

    hook: HookUrl | None  # None only for DETAIL and BACKGROUND_SEARCH calls without HOOK_URL
    charset_label: str  # as asked (``http_content_charset``)
    codec: str  # the Python codec the page is written in
    page_charset: str  # the label announced in Content-Type and <meta charset>
    target: str
    oci_version: str
    opi_version: str
    username: str
    #: ``~`` parameters of the call itself (not inside HOOK_URL), as sent: echoed back too.
    tilde_params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class OciCall:
    context: OciContext
    function: str  # "" for a shopping session
    product_id: str
    quantity: str
    search: str


def param(params: Mapping[str, str], name: str) -> str:
    """A call parameter by its OCI name, also in all upper or all lower case; '' when absent."""
    for candidate in (name, name.upper(), name.lower()):
        value = params.get(candidate)
        if value is not None:
            return str(value)
    return ""


def check_login(
    params: Mapping[str, str], users: Mapping[str, str], *, any_password: bool = False
) -> str:
    """The user name when ``USERNAME``/``PASSWORD`` (or lower case) match a configured user.

    ``any_password`` (the ``accept-any-secret`` fault) lets a known user in with any password.
    """
    username = param(params, "USERNAME").strip()
    password = param(params, "PASSWORD")
    expected = users.get(username)
    if any_password and expected is not None:
        return username
    # Compare even for an unknown user, so timing does not tell which user names exist.
    reference = expected if expected is not None else "\x00unknown-user\x00"
    matches = hmac.compare_digest(password.encode("utf-8"), reference.encode("utf-8"))
    if expected is None or not password or not matches:
        raise OciRefused(
            401,
            "login_failed",
            "Login failed",
            "login failed: the user name or password sent by your procurement system is wrong.",
        )
    return username


def resolve_charset(label: str) -> tuple[str, str, str]:
    """(label as asked, Python codec, announced label); unknown or empty labels mean UTF-8."""
    asked = label.strip().lower() or "utf-8"
    codec, announced = CHARSETS.get(asked, ("utf-8", "utf-8"))
    if asked not in CHARSETS:
        asked = "utf-8"
    return asked, codec, announced


def parse_hook_url(raw: str, settings: OciSettings) -> HookUrl:
    """Split HOOK_URL into the form action and its query parameters, or refuse it."""
    url = raw.strip()
    if not url:
        raise OciRefused(400, "hook_url_missing", "HOOK_URL missing", "The call has no HOOK_URL.")
    if url.upper().startswith("SAPEVENT:"):
        raise OciRefused(
            400,
            "hook_url_sapevent",
            "SAP GUI return not supported",
            f"HOOK_URL {url!r} is an SAP GUI pseudo URL (SAPEVENT); this shop can only send "
            "the basket to a web address (http or https).",
        )
    if len(url) > MAX_HOOK_URL:
        raise OciRefused(400, "hook_url_invalid", "HOOK_URL too long", "HOOK_URL is too long.")
    # Browsers read a backslash as a slash and drop tabs and newlines, so a URL with them can
    # name another host than the one parsed here: refuse rather than guess.
    if any(ch == "\\" or ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        raise OciRefused(
            400,
            "hook_url_invalid",
            "HOOK_URL not usable",
            "HOOK_URL contains spaces, control characters or backslashes.",
        )
    parts = urlsplit(url)
    try:
        host = parts.hostname or ""
        _ = parts.port  # a malformed port raises ValueError
    except ValueError:
        host = ""
    if parts.scheme.lower() not in ("http", "https") or not host or "@" in parts.netloc:
        raise OciRefused(
            400,
            "hook_url_invalid",
            "HOOK_URL not usable",
            "HOOK_URL must be an http or https address with a host and no user name.",
        )
    if not settings.host_allowed(host):
        raise OciRefused(
            403,
            "hook_url_not_allowed",
            "Return address not allowed",
            f"This shop does not send baskets to {host!r} "
            "(the host is not in MOCK_SHOP_OCI_HOOK_HOSTS).",
        )
    base = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    query = parse_qsl(parts.query, keep_blank_values=True)
    return HookUrl(raw=url, base=base, params=tuple(query))


def read_call(
    params: Mapping[str, str], settings: OciSettings, *, any_password: bool = False
) -> OciCall:
    """Check the login, then read the rest of the call; raises OciRefused."""
    username = check_login(params, settings.users, any_password=any_password)
    function = param(params, "FUNCTION").strip().upper()
    if function and function not in FUNCTIONS:
        raise OciRefused(
            400,
            "function_not_supported",
            "Function not supported",
            f"FUNCTION {function!r} is not supported here (supported: {', '.join(FUNCTIONS)}).",
        )
    label, codec, announced = resolve_charset(param(params, "http_content_charset"))
    # DETAIL sends nothing back, so its HOOK_URL is not even read; BACKGROUND_SEARCH may omit it.
    raw_hook = "" if function == "DETAIL" else param(params, "HOOK_URL")
    needs_hook = function not in ("DETAIL", "BACKGROUND_SEARCH")
    context = OciContext(
        hook=parse_hook_url(raw_hook, settings) if raw_hook.strip() or needs_hook else None,
        charset_label=label,
        codec=codec,
        page_charset=announced,
        target=param(params, "returntarget").strip() or DEFAULT_TARGET,
        oci_version=param(params, "OCI_VERSION").strip(),
        opi_version=param(params, "OPI_VERSION").strip(),
        username=username,
        tilde_params=tuple((n, str(v)) for n, v in params.items() if n.startswith("~")),
    )
    return OciCall(
        context=context,
        function=function,
        product_id=param(params, "PRODUCTID").strip(),
        quantity=param(params, "QUANTITY").strip(),
        search=param(params, "SEARCHSTRING").strip(),
    )
