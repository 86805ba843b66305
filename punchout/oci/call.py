"""The outbound OCI call: what the browser sends to the supplier's catalog.

The gateway renders a page that submits this call (an auto-submitting form for POST, a redirect
for GET). Its parameters, in this order:

1. ``HOOK_URL``: where the shop must send the basket. ``~OkCode=ADDI``, ``~TARGET=_top`` and
   ``~CALLER=CTLG`` travel inside HOOK_URL's *own* query string; the shop posts to HOOK_URL
   without that query and echoes its parameters as hidden fields. (The gateway puts its session
   token in HOOK_URL's path, because a shop that returns with GET replaces the query string.)
2. ``OCI_VERSION``, ``OPI_VERSION=1.0``, ``http_content_charset=utf-8``, ``returntarget=_top``.
3. The supplier's login parameters (names differ per shop: ``USERNAME``/``PASSWORD``,
   ``user_id``, ``logonId``...), then its other static parameters.
4. Optionally ``FUNCTION`` with its parameters: ``DETAIL`` (``PRODUCTID``), ``VALIDATE``
   (``PRODUCTID``, ``QUANTITY``), ``BACKGROUND_SEARCH`` (``SEARCHSTRING``).

A login or static parameter may not reuse a standard name (any letter case): the call would then
carry two values and which one a shop reads is anybody's guess. The call carries the supplier's
password, so the archive keeps only :func:`masked_call` / :func:`masked_params`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from urllib.parse import unquote_plus, urlencode, urlsplit, urlunsplit

MASK = "********"

#: Parameter names treated as secrets in the archive, whatever the supplier calls them.
SECRET_NAME = re.compile(
    r"pass|pwd|(?:^|[_-])pw(?:$|[_-])|secret|token|kennung|kennwort|pin$|key|auth|cred",
    re.IGNORECASE,
)

OPI_VERSION = "1.0"
CONTENT_CHARSET = "utf-8"
RETURN_TARGET = "_top"

#: What travels in HOOK_URL's own query string and comes back as hidden fields.
HOOK_QUERY: tuple[tuple[str, str], ...] = (
    ("~OkCode", "ADDI"),
    ("~TARGET", "_top"),
    ("~CALLER", "CTLG"),
)

_EMPTY: Mapping[str, str] = MappingProxyType({})
_VERSION = re.compile(r"[0-9]+\.[0-9]+")


class OciMethod(StrEnum):
    """How the browser submits the call (and, usually, how the shop returns the basket)."""

    POST = "post"
    GET = "get"


class OciFunction(StrEnum):
    """The OCI functions beside the normal catalog entry."""

    #: Show one product; nothing comes back.
    DETAIL = "DETAIL"
    #: A hidden-only page that returns one item's current data (used to re-price a line).
    VALIDATE = "VALIDATE"
    #: A results page of OCI fields, read server side, not auto-submitted.
    BACKGROUND_SEARCH = "BACKGROUND_SEARCH"


#: The parameters each function requires, in the order they are sent.
FUNCTION_PARAMS: Mapping[OciFunction, tuple[str, ...]] = MappingProxyType(
    {
        OciFunction.DETAIL: ("PRODUCTID",),
        OciFunction.VALIDATE: ("PRODUCTID", "QUANTITY"),
        OciFunction.BACKGROUND_SEARCH: ("SEARCHSTRING",),
    }
)

_STANDARD_NAMES = frozenset(
    {"HOOK_URL", "OCI_VERSION", "OPI_VERSION", "HTTP_CONTENT_CHARSET", "RETURNTARGET", "FUNCTION",
     "PRODUCTID", "QUANTITY", "SEARCHSTRING"}
)


@dataclass(frozen=True)
class OciCall:
    """One call: for GET, ``url`` already carries ``params`` in its query; for POST they are the
    form body (the gateway renders them as hidden fields)."""

    url: str
    method: str
    params: tuple[tuple[str, str], ...]

    def encoded_params(self) -> str:
        """``params`` as ``application/x-www-form-urlencoded`` text (UTF-8)."""
        return urlencode(self.params, encoding="utf-8")


def hook_url_with_query(hook_url: str) -> str:
    """HOOK_URL with ``~OkCode=ADDI&~TARGET=_top&~CALLER=CTLG`` appended to its own query.

    Any query HOOK_URL already has is kept byte for byte, except earlier ``~OkCode``,
    ``~TARGET`` or ``~CALLER`` parameters, which ours replace.
    """
    _require_http_url(hook_url, "hook_url")
    parts = urlsplit(hook_url)
    ours = {name.lower() for name, _ in HOOK_QUERY}
    kept = [
        part for part in parts.query.split("&")
        if part and unquote_plus(part.split("=", 1)[0]).strip().lower() not in ours
    ]
    query = "&".join(kept + [urlencode(HOOK_QUERY, safe="~")])
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))


def build_call(
    catalog_url: str,
    hook_url: str,
    *,
    method: str = "post",
    login_params: Mapping[str, str] = _EMPTY,
    static_params: Mapping[str, str] = _EMPTY,
    oci_version: str = "4.0",
    function: str | None = None,
    function_params: Mapping[str, str] = _EMPTY,
) -> OciCall:
    """The OCI call for one session (or one FUNCTION call). ``ValueError`` on bad settings."""
    _require_http_url(catalog_url, "catalog_url")
    try:
        how = OciMethod(method.strip().lower())
    except ValueError:
        raise ValueError(f"OCI method must be 'post' or 'get', not {method!r}") from None
    if not _VERSION.fullmatch(oci_version.strip()):
        raise ValueError(f"OCI version {oci_version!r} is not like '4.0'")

    params: list[tuple[str, str]] = [
        ("HOOK_URL", hook_url_with_query(hook_url)),
        ("OCI_VERSION", oci_version.strip()),
        ("OPI_VERSION", OPI_VERSION),
        ("http_content_charset", CONTENT_CHARSET),
        ("returntarget", RETURN_TARGET),
    ]
    seen: set[str] = set()
    for kind, extra in (("login", login_params), ("static", static_params)):
        for name, value in extra.items():
            key = name.strip().upper()
            if not key:
                raise ValueError(f"an OCI {kind} parameter has an empty name")
            if key in _STANDARD_NAMES:
                raise ValueError(
                    f"the OCI {kind} parameter {name!r} would clash with a standard parameter"
                )
            if key in seen:
                raise ValueError(f"the OCI parameter {name!r} is given twice")
            seen.add(key)
            params.append((name, str(value)))
    params.extend(_function_params(function, function_params))

    if how is OciMethod.GET:
        parts = urlsplit(catalog_url)
        query = "&".join(q for q in (parts.query, urlencode(params, encoding="utf-8")) if q)
        url = urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
    else:
        url = catalog_url
    return OciCall(url=url, method=how.value, params=tuple(params))


def is_secret_name(name: str, secret_names: Iterable[str] = ()) -> bool:
    """Whether a parameter called ``name`` holds a secret (password-like or listed)."""
    listed = {n.strip().lower() for n in secret_names}
    return bool(SECRET_NAME.search(name)) or name.strip().lower() in listed


def masked_params(
    call: OciCall, secret_names: Iterable[str] = ()
) -> tuple[tuple[str, str], ...]:
    """The call's parameters with every secret value replaced by ``********`` (for the archive).

    Secrets are parameters whose name looks like one (``pass``, ``pwd``, ``_pw``, ``secret``,
    ``token``, ``kennung``, ``key``, ... in any case; see ``SECRET_NAME``) and those named in
    ``secret_names`` (the gateway names every configured login parameter).
    """
    names = tuple(secret_names)
    return tuple(
        (name, MASK if is_secret_name(name, names) and value else value)
        for name, value in call.params
    )


def masked_call(call: OciCall, secret_names: Iterable[str] = ()) -> OciCall:
    """The whole call masked for the archive, including a GET call's URL query."""
    names = tuple(secret_names)
    parts = urlsplit(call.url)
    query = "&".join(_mask_query_part(part, names) for part in parts.query.split("&") if part)
    url = urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
    return OciCall(url=url, method=call.method, params=masked_params(call, names))


def _mask_query_part(part: str, names: tuple[str, ...]) -> str:
    name, sep, value = part.partition("=")
    if sep and value and is_secret_name(unquote_plus(name), names):
        return f"{name}={MASK}"
    return part


def _function_params(
    function: str | None, function_params: Mapping[str, str]
) -> list[tuple[str, str]]:
    if function is None or not function.strip():
        if function_params:
            raise ValueError("function parameters given without an OCI FUNCTION")
        return []
    try:
        func = OciFunction(function.strip().upper())
    except ValueError:
        known = ", ".join(f.value for f in OciFunction)
        raise ValueError(f"unknown OCI FUNCTION {function!r} (known: {known})") from None
    wanted = FUNCTION_PARAMS[func]
    given = {name.strip().upper(): str(value) for name, value in function_params.items()}
    unknown = sorted(set(given) - set(wanted))
    if unknown:
        raise ValueError(
            f"FUNCTION={func.value} takes {', '.join(wanted)}, not {', '.join(unknown)}"
        )
    missing = [name for name in wanted if not given.get(name, "").strip()]
    if missing:
        raise ValueError(f"FUNCTION={func.value} needs {', '.join(missing)}")
    return [("FUNCTION", func.value)] + [(name, given[name]) for name in wanted]


def _require_http_url(url: str, what: str) -> None:
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{what} must be an absolute http(s) URL, not {url!r}")
