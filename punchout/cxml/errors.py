"""Typed errors of the cXML codec.

Every error carries the cXML status code to answer with, so the gateway can turn any codec
failure into a ``Response/Status`` (or a clear page for a browser-posted basket) without knowing
the details: 406 when the bytes are not (safe, well-formed) XML at all, 400 when they parse but are
not an acceptable cXML document. ``path`` is an XPath-like location such as
``/cXML/Message/PunchOutOrderMessage/ItemIn[3]/ItemDetail/UnitPrice/Money`` so a supplier can be
told exactly what to fix.
"""

from __future__ import annotations

from punchout.errors import InvalidInput


class CXMLError(InvalidInput):
    """Base class: ``message`` says what is wrong, ``path`` where, ``status_code`` how to answer."""

    status_code: int = 400
    spec = "cXML 1.2 (cXML.dtd and the cXML User's Guide)"

    def __init__(
        self,
        message: str,
        path: str | None = None,
        *,
        line: int | None = None,
        column: int | None = None,
        status_code: int | None = None,
    ) -> None:
        self.message = message
        self.path = path
        self.location = path if path else (f"line {line}" if line is not None else None)
        self.line = line
        self.column = column
        if status_code is not None:
            self.status_code = status_code
        super().__init__(self._describe())

    def _describe(self) -> str:
        text = f"{self.path}: {self.message}" if self.path else self.message
        if self.line is not None and self.column is not None:
            text += f" (line {self.line}, column {self.column})"
        elif self.line is not None:
            text += f" (line {self.line})"
        return text

    def __str__(self) -> str:
        return self._describe()


class CXMLSyntaxError(CXMLError):
    """The bytes are not well-formed XML, or use something we never parse (entities, DTDs).

    Answered with cXML status 406 (Not Acceptable).
    """

    status_code = 406


class CXMLStructureError(CXMLError):
    """Well-formed XML that is not an acceptable cXML document.

    A required element or attribute is missing, a number is not a number, a currency is not a
    currency code, the root is not ``cXML``... Answered with cXML status 400 (Bad Request).
    """

    status_code = 400


class FormFieldError(CXMLError):
    """A browser-posted basket form without a usable ``cxml-base64``/``cxml-urlencoded`` field."""

    status_code = 400
