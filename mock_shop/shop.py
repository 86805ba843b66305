"""The shop's state for one app: configuration, catalogue, sessions, fault; and the basket form."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from flask import current_app, request

from . import cxml_out, peppol_out
from .catalogue import Catalogue
from .faults import Fault, get_fault
from .oci_config import DEFAULTS as OCI_DEFAULTS
from .oci_config import OciSettings, load_oci_settings
from .sessions import Credential, PunchoutSession, SessionStore

ENCODINGS = ("base64", "urlencoded")


@dataclass
class Shop:
    catalogue: Catalogue
    buyers: dict[str, str] = field(repr=False)
    identity: str = "mock-shop"
    basket_encoding: str = "base64"
    public_url: str | None = None
    fault: Fault | None = None
    test_api: bool = True
    store: SessionStore = field(default_factory=SessionStore)
    oci: OciSettings = field(default_factory=lambda: load_oci_settings(OCI_DEFAULTS))
    #: How long the ``slow-setup`` fault keeps a setup request waiting.
    slow_seconds: float = 10.0
    peppol: PeppolSettings = field(default_factory=lambda: PeppolSettings())

    def fault_for(self, session: PunchoutSession | None) -> Fault | None:
        """The session's own fault when it has one, else the shop's."""
        if session is not None and session.fault_name:
            return get_fault(session.fault_name)
        return self.fault

    def session_fault(self, name: str | None) -> Fault | None:
        """The fault a request asks for by name (test API only), else the shop's.

        Raises ValueError for an unknown name, or when the test API is disabled.
        """
        if not name or not name.strip():
            return self.fault
        if not self.test_api:
            raise ValueError("per-session faults need the test API (MOCK_SHOP_TEST_API)")
        return get_fault(name)

    def base_url(self) -> str:
        """The shop's public base URL, without a trailing slash."""
        if self.public_url:
            return self.public_url.rstrip("/")
        return request.host_url.rstrip("/")

    def host(self) -> str:
        return urlsplit(self.base_url()).hostname or "mock-shop"

    @property
    def credential(self) -> Credential:
        return Credential("NetworkID", self.identity)

    def basket_form(self, session: PunchoutSession, *, cancel: bool = False) -> BasketForm:
        """The exact form the browser posts back: action URL and hidden fields."""
        fault = self.fault_for(session)
        lines = [] if cancel else list(session.cart)
        if fault is not None:
            lines = fault.tweak_lines(lines)
        document = cxml_out.order_message(
            shop=self.credential,
            buyer=session.buyer_credentials,
            buyer_cookie=session.buyer_cookie,
            lines=lines,
            deployment_mode=session.deployment_mode,
            host=self.host(),
            tweak=fault.tweak_order if fault else None,
        )
        if fault is not None:
            document = fault.tweak_document(document)
        if self.basket_encoding == "urlencoded":
            fields = {"cxml-urlencoded": document.decode("utf-8")}
        else:
            fields = {"cxml-base64": base64.b64encode(document).decode("ascii")}
        if fault is not None:
            fields = fault.form_fields(fields)
        return BasketForm(action=session.browser_form_post, fields=fields, document=document)


    def peppol_form(self, session: PunchoutSession, *, cancel: bool = False) -> BasketForm:
        """The Peppol Punch Out 3 cart form back to HOOK_URL (no lines when cancelled)."""
        fault = self.fault_for(session)
        lines = [] if cancel else list(session.cart)
        if fault is not None:
            lines = fault.tweak_lines(lines)
        header = peppol_out.CartHeader(
            cart_id=session.id[:16], shop_name=self.peppol.name,
            shop_peppol_id=self.peppol.peppol_id, buyer_name=session.display_user,
            contract=self.peppol.contract, uncontracted=self.peppol.uncontracted)
        document = peppol_out.cart_document(header, lines,
                                            tweak=fault.tweak_cart if fault else None)
        if fault is not None:
            document = fault.tweak_document(document)
        fields = peppol_out.form_fields(document, self.basket_encoding)
        return BasketForm(action=session.browser_form_post, fields=fields, document=document)


@dataclass(frozen=True)
class PeppolSettings:
    """Who the shop says it is in a Peppol cart, and its framework agreement."""

    name: str = "Kontorsgrossisten AB"
    peppol_id: str = "0007:5560000001"
    contract: str | None = "RAM-2026-019"
    uncontracted: frozenset[str] = frozenset({"KG-1501", "KG-1502", "KG-1503", "KG-1504"})


def load_peppol_settings(config: Mapping[str, Any]) -> PeppolSettings:
    scheme, _, number = str(config["MOCK_SHOP_PEPPOL_ID"]).strip().partition(":")
    if not scheme or not number:
        raise ValueError("MOCK_SHOP_PEPPOL_ID must be SCHEME:ID (e.g. 0007:5560000001)")
    return PeppolSettings(
        name=str(config["MOCK_SHOP_PEPPOL_NAME"]).strip() or "Kontorsgrossisten AB",
        peppol_id=f"{scheme}:{number}",
        contract=str(config["MOCK_SHOP_PEPPOL_CONTRACT"] or "").strip() or None,
        uncontracted=frozenset(part.strip() for part in
                               str(config["MOCK_SHOP_PEPPOL_UNCONTRACTED"]).split(",")
                               if part.strip()),
    )


@dataclass(frozen=True)
class BasketForm:
    action: str
    fields: dict[str, str]
    document: bytes
    method: str = "post"

    def to_json(self) -> dict[str, object]:
        return {"action": self.action, "method": self.method, "fields": self.fields}


def current_shop() -> Shop:
    shop: Shop = current_app.extensions["mock_shop"]
    return shop
