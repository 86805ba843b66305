"""Where a supplier sends the basket back: one path, shared by the cXML and OCI starts."""

from __future__ import annotations

RETURN_PATH = "/punchout/return/"


def basket_return_url(base_url: str, token: str) -> str:
    """The absolute return URL for a session's signed token."""
    return base_url.rstrip("/") + RETURN_PATH + token
