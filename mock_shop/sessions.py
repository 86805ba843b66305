"""Per-punch-out-session state, kept in process memory (it is a mock)."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal

from .catalogue import Article, Catalogue
from .oci_call import OciContext
from .xmlcontent import XmlContent

OPERATIONS = ("create", "edit", "inspect")


@dataclass
class CartLine:
    article: Article
    quantity: Decimal
    aux: XmlContent | None  # the SupplierPartAuxiliaryID, verbatim

    @property
    def amount(self) -> Decimal:
        return self.article.line_amount(self.quantity)

    @property
    def key(self) -> tuple[str, XmlContent | None]:
        return (self.article.supplier_part_id, self.aux)


@dataclass(frozen=True)
class Credential:
    domain: str
    identity: str


@dataclass
class PunchoutSession:
    id: str
    start_token: str
    operation: str
    buyer_cookie: XmlContent
    browser_form_post: str
    buyer_credentials: list[Credential]  # the setup request's From credentials, in order
    buyer_identity: str  # the From identity whose shared secret matched
    deployment_mode: str = "production"
    user_email: str | None = None
    extrinsics: dict[str, str] = field(default_factory=dict)
    selected_part_id: str | None = None
    cart: list[CartLine] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    created: float = field(default_factory=time.time)
    start_used: bool = False
    status: str = "open"  # open | transferred | cancelled
    protocol: str = "cxml"  # cxml | oci | peppol
    oci: OciContext | None = None  # the OCI call's HOOK_URL, charset and target
    #: A fault chosen for this session alone (see faults.py); wins over the shop's fault.
    fault_name: str | None = None

    @property
    def protocol_label(self) -> str:
        if self.protocol == "peppol":
            return "Peppol Punch Out 3"
        if self.oci is None:
            return "cXML"
        return f"OCI {self.oci.oci_version}".strip()

    @property
    def read_only(self) -> bool:
        return self.operation == "inspect"

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.cart), Decimal(0))

    @property
    def display_user(self) -> str:
        return self.user_email or self.extrinsics.get("UniqueName") or self.buyer_identity

    def add(self, article: Article, quantity: Decimal, aux: XmlContent | None) -> None:
        for line in self.cart:
            if line.key == (article.supplier_part_id, aux):
                line.quantity += quantity
                return
        self.cart.append(CartLine(article, quantity, aux))

    def replace_cart(self, lines: list[CartLine]) -> None:
        self.cart = list(lines)


def new_token() -> str:
    return secrets.token_urlsafe(24)


class SessionStore:
    """Sessions by id and by start token; every access goes through one lock."""

    def __init__(self, ttl_seconds: float = 4 * 3600):
        self.ttl = ttl_seconds
        self._lock = threading.RLock()
        self._by_id: dict[str, PunchoutSession] = {}
        self._by_start: dict[str, str] = {}

    @contextmanager
    def locked(self) -> Iterator[None]:
        with self._lock:
            yield

    def add(self, session: PunchoutSession) -> None:
        with self._lock:
            self._prune()
            self._by_id[session.id] = session
            self._by_start[session.start_token] = session.id

    def get(self, session_id: str | None) -> PunchoutSession | None:
        if not session_id:
            return None
        with self._lock:
            session = self._by_id.get(session_id)
            if session is not None and self._expired(session):
                self._drop(session)
                return None
            return session

    def by_start_token(self, token: str) -> PunchoutSession | None:
        with self._lock:
            return self.get(self._by_start.get(token))

    def claim_start(self, token: str) -> tuple[PunchoutSession | None, bool]:
        """Use a start token once: (session, True) the first time, (session, False) after."""
        with self._lock:
            session = self.by_start_token(token)
            if session is None:
                return None, False
            if session.start_used:
                return session, False
            session.start_used = True
            return session, True

    def __len__(self) -> int:
        with self._lock:
            return len(self._by_id)

    def _expired(self, session: PunchoutSession) -> bool:
        return time.time() - session.created > self.ttl

    def _drop(self, session: PunchoutSession) -> None:
        self._by_id.pop(session.id, None)
        self._by_start.pop(session.start_token, None)

    def _prune(self) -> None:
        for session in [s for s in self._by_id.values() if self._expired(s)]:
            self._drop(session)


def cart_from_items(
    catalogue: Catalogue, items: list[tuple[str, Decimal, XmlContent | None]]
) -> tuple[list[CartLine], list[str]]:
    """Rebuild a cart from (part ID, quantity, aux ID) triples; unknown parts become notices."""
    lines: list[CartLine] = []
    notices: list[str] = []
    for part_id, quantity, aux in items:
        article = catalogue.get(part_id)
        if article is None:
            notices.append(f"Artikel {part_id} från din tidigare varukorg säljs inte längre.")
            continue
        lines.append(CartLine(article, quantity, aux))
    return lines, notices
