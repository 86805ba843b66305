"""The web edge: text that arrives in a request is judged once, before any view sees it.

Query arguments, path values and form fields (login, CSV upload forms, admin forms) go through
:func:`punchout.textguard.check_text`; JSON bodies are decoded by
:func:`punchout.textguard.load_json` (Flask's ``get_json`` uses it through the JSON provider).
The return endpoint and the certification capture are left to their codecs: they archive the
raw body first, and a supplier's basket text is cleaned line by line, not refused whole.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Request, request
from flask.json.provider import DefaultJSONProvider

from punchout.errors import InvalidRequest
from punchout.textguard import UnsafeText, check_text, load_json

#: Blueprints that read the raw body themselves (see the module docstring).
RAW_BODY_BLUEPRINTS = frozenset({"returns", "capture"})
#: The API takes JSON (checked by the JSON provider); a form body there is a basket for the
#: check API, read raw by the codecs (parsing it here would consume it).
NO_FORM_BLUEPRINTS = RAW_BODY_BLUEPRINTS | {"api"}
FORM_TYPES = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


class GuardedJSONProvider(DefaultJSONProvider):
    """``request.get_json()`` with the nesting limit and the text rule of textguard."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return load_json(s)


class GuardedRequest(Request):
    """A body that ``get_json`` cannot take is a 400 that says why (Flask's own says nothing
    outside debug mode)."""

    def on_json_loading_failed(self, e: ValueError | None) -> Any:
        raise InvalidRequest(f"the body is not usable JSON: {e}" if e else
                             "the body must be JSON (Content-Type: application/json)")


def refuse_unsafe_text() -> None:
    """Raise InvalidRequest (400, with the field's name) for NUL or a lone surrogate."""
    if request.blueprint in RAW_BODY_BLUEPRINTS:
        return
    try:
        for name, value in (request.view_args or {}).items():
            if isinstance(value, str):
                check_text(value, f"the path value {name!r}")
        for name, value in request.args.items(multi=True):
            check_text(name, "a query argument's name")
            check_text(value, f"the query argument {name[:40]!r}")
        if (request.method != "GET" and request.mimetype in FORM_TYPES
                and request.blueprint not in NO_FORM_BLUEPRINTS):
            for name, value in request.form.items(multi=True):
                check_text(name, "a form field's name")
                check_text(value, f"the form field {name[:40]!r}")
            for name, upload in request.files.items(multi=True):
                check_text(upload.filename or "", f"the name of the file in {name[:40]!r}")
    except UnsafeText as exc:
        raise InvalidRequest(str(exc)) from None


def init_app(app: Flask) -> None:
    app.json = GuardedJSONProvider(app)
    app.request_class = GuardedRequest
    app.before_request(refuse_unsafe_text)
