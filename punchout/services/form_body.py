"""Form fields from a raw request body that the return endpoint has already archived.

The return endpoint reads the body itself (so it can archive it before anything else), which
means the framework's form parsing is not available; browsers post
``application/x-www-form-urlencoded`` and, rarely, ``multipart/form-data``.
"""

from __future__ import annotations

import io
from urllib.parse import parse_qsl

from werkzeug.formparser import parse_form_data


class FormBodyError(ValueError):
    pass


def form_fields(body: bytes, content_type: str | None) -> dict[str, list[str]]:
    ctype = (content_type or "").split(";")[0].strip().lower()
    if ctype == "multipart/form-data":
        environ = {
            "wsgi.input": io.BytesIO(body),
            "CONTENT_LENGTH": str(len(body)),
            "CONTENT_TYPE": content_type,
            "REQUEST_METHOD": "POST",
        }
        _, form, files = parse_form_data(environ, max_form_memory_size=len(body) + 1)
        fields = {k: form.getlist(k) for k in form}
        for name in files:
            fields.setdefault(name, []).extend(
                f.read().decode("utf-8", "replace") for f in files.getlist(name)
            )
        return fields
    if ctype not in ("", "application/x-www-form-urlencoded"):
        raise FormBodyError(f"a basket must be posted as a form, not as {ctype}")
    text = body.decode("latin-1")
    try:
        pairs = parse_qsl(text, keep_blank_values=True, encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        # The shop's page was not UTF-8; browsers treat "latin-1" as windows-1252.
        pairs = parse_qsl(text, keep_blank_values=True, encoding="cp1252", errors="replace")
    fields: dict[str, list[str]] = {}
    for key, value in pairs:
        fields.setdefault(key, []).append(value)
    return fields
