"""Typed errors of the Peppol codec.

A Peppol cart that merely breaks a BIS rule is *read*, with the breaks as warnings (DESIGN.md:
only certification fails a supplier for them). A :class:`PeppolError` is reserved for bytes that
are no Peppol cart at all: not (safe, well-formed) XML, or a root other than a UBL
``Catalogue``. Like the other codecs' errors it carries the HTTP status to answer with and
where the problem is.
"""

from __future__ import annotations

from punchout.errors import InvalidInput


class PeppolError(InvalidInput):
    """Base class: ``message`` says what is wrong, ``path`` where, ``status_code`` how to answer."""

    status_code: int = 400
    spec = "Peppol BIS Punch Out 3 (OpenPEPPOL poacc-upgrade-3, ubl-punchout.xml)"

    def __init__(self, message: str, path: str | None = None, *,
                 status_code: int | None = None) -> None:
        self.message = message
        self.path = path
        self.location = path
        if status_code is not None:
            self.status_code = status_code
        super().__init__(self.__str__())

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class PeppolSyntaxError(PeppolError):
    """Not well-formed XML, or something the hardened parser never accepts (entities)."""


class PeppolStructureError(PeppolError):
    """Well-formed XML that is not a Peppol Punch Out cart (another root, a Catalogue 3...)."""


class PeppolFormFieldError(PeppolError):
    """A ``peppol-base64``/``peppol-urlencoded`` form field that holds no decodable document."""
