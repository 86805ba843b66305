"""Typed errors of the OCI codec.

Almost nothing in an OCI basket is fatal: a bad field makes its *line* an ``invalid_line`` with
a reason (see :class:`punchout.oci.basket.OciLine`), so the rest of the basket survives. An
:class:`OciError` is reserved for a body the codec cannot read as an OCI basket at all (not a
form, no ``NEW_ITEM`` fields, items only in an ``~xmlDocument`` the gateway does not map). It
carries the HTTP status to answer with, like the cXML codec's errors.
"""

from __future__ import annotations

from punchout.errors import InvalidInput


class OciError(InvalidInput):
    """The whole body is unusable. ``message`` says why, ``status_code`` how to answer."""

    status_code: int = 400
    spec = "SAP OCI 4.0/5.0"

    def __init__(self, message: str, *, status_code: int | None = None,
                 location: str | None = None) -> None:
        self.message = message
        self.location = location or "form body"
        if status_code is not None:
            self.status_code = status_code
        super().__init__(message)

    def __str__(self) -> str:
        return self.message
