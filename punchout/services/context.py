"""What every service needs, built once per app (or CLI command) from the settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from punchout.config import Settings
from punchout.net.supplier_slots import SLOTS
from punchout.persistence.db import make_engine, make_session_factory
from punchout.services import audit
from punchout.services.api_tokens import TokenVerifier
from punchout.services.secrets_box import SecretBox
from punchout.services.signing import Signer


@dataclass
class Gateway:
    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    signer: Signer = field(init=False)
    box: SecretBox = field(init=False)
    #: API tokens verified without a write per call (see services/api_tokens.py).
    tokens: TokenVerifier = field(init=False)

    def __post_init__(self) -> None:
        self.signer = Signer(self.settings.secret_key, self.settings.secret_key_fallbacks)
        self.box = SecretBox(self.settings.encryption_key)
        self.tokens = TokenVerifier(self.session_factory)
        SLOTS.configure(self.settings.supplier_concurrency)
        audit.install(self.session_factory)  # who changed suppliers, agreements, users

    @classmethod
    def from_settings(cls, settings: Settings) -> Gateway:
        engine = make_engine(settings.database_url)
        return cls(settings=settings, engine=engine, session_factory=make_session_factory(engine))
