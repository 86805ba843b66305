"""Configuration from the environment (the names are a public contract, see DESIGN.md)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cryptography.fernet import Fernet

DEFAULT_DATABASE_URL = "sqlite:///instance/punchout.db"
DEFAULT_MAX_BODY = 20 * 1024 * 1024
#: DESIGN.md: ``shared/cxml/1.2.063/cXML.dtd`` in the folder that holds the project checkout,
#: found from the package's location (not the working directory).
PACKAGED_CXML_DTD = (Path(__file__).resolve().parents[2] / "shared" / "cxml" / "1.2.063"
                     / "cXML.dtd")


def default_cxml_dtd(env: Mapping[str, str]) -> Path | None:
    """``PUNCHOUT_CXML_DTD``, else the DTD beside the checkout when it is there, else None."""
    given = env.get("PUNCHOUT_CXML_DTD", "").strip()
    if given:
        return Path(given)
    return PACKAGED_CXML_DTD if PACKAGED_CXML_DTD.is_file() else None
#: The languages the pages are written in (catalogues under punchout/translations).
LANGUAGES = ("sv", "en")


class ConfigError(RuntimeError):
    """The configuration cannot work; the message says which variable and why."""


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(p.strip().lower() for p in (value or "").split(",") if p.strip())


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value <= 0:
        raise ConfigError(f"{name} must be positive, not {value}")
    return value


def _switch(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in ("on", "1", "true", "yes"):
        return True
    if raw in ("off", "0", "false", "no"):
        return False
    raise ConfigError(f"{name} must be on or off, not {raw!r}")


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    secret_key: str = ""
    secret_key_fallbacks: tuple[str, ...] = ()
    encryption_key: str = ""
    base_url: str = ""
    session_ttl: int = 3600
    supplier_timeout: int = 15
    #: Calls per supplier endpoint one process lets wait at a time (net/supplier_slots.py).
    supplier_concurrency: int = 4
    allowed_supplier_hosts: tuple[str, ...] = ()
    allowed_return_hosts: tuple[str, ...] = ()
    max_body: int = DEFAULT_MAX_BODY
    timezone: str = "Europe/Stockholm"
    #: The language of pages when the browser states none and no choice was made (sv | en).
    language: str = "sv"
    #: ``text`` (people at a terminal) or ``json`` (one JSON object a line, for log shippers).
    log_format: str = "text"
    #: The most of a supplier's answer we read (a setup response is a few kB).
    max_supplier_response: int = 2 * 1024 * 1024
    #: How long the buyer's browser has to use an OCI start page or a StartPage redirect.
    start_page_ttl: int = 300
    #: Orders out (DESIGN.md): SMTP for the e-mail channel, attempts and back-off for all.
    smtp_url: str = ""
    mail_from: str = ""
    order_attempts: int = 6
    order_backoff: int = 30
    testing: bool = False
    #: The cXML DTD certification runs validate with (``PUNCHOUT_CXML_DTD``).
    cxml_dtd: Path | None = None
    #: Where order channel ``peppol`` hands Order 3 documents to the access point.
    peppol_outbox: Path | None = None
    #: Flask-Limiter on or off (PUNCHOUT_RATELIMITS) and its storage URI
    #: (PUNCHOUT_RATELIMIT_STORAGE; empty = memory, which counts per process).
    ratelimits: bool = True
    ratelimit_storage: str = ""
    #: How long archived messages are kept at least (PUNCHOUT_ARCHIVE_RETENTION_DAYS):
    #: ``punchout archive purge`` refuses to delete anything younger. Seven years by default,
    #: as the Swedish Bookkeeping Act asks of accounting records; set the organisation's own.
    archive_retention_days: int = 2557
    extra: dict[str, object] = field(default_factory=dict)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def with_overrides(self, **kw: object) -> Settings:
        return replace(self, **kw)  # type: ignore[arg-type]


def load_settings(env: Mapping[str, str] | None = None, *, relaxed: bool = False) -> Settings:
    """Read settings from ``env`` (default: ``os.environ``).

    ``relaxed`` is for ``punchout demo`` and tests: missing keys are generated for the process
    instead of refusing to start. Everywhere else a missing key is a clear startup error.
    """
    env = os.environ if env is None else env
    secret_key = env.get("PUNCHOUT_SECRET_KEY", "").strip()
    encryption_key = env.get("PUNCHOUT_ENCRYPTION_KEY", "").strip()
    if not secret_key:
        if not relaxed:
            raise ConfigError(
                "PUNCHOUT_SECRET_KEY is not set. Set it to a long random string "
                "(for example: python -c 'import secrets; print(secrets.token_urlsafe(48))')."
            )
        secret_key = os.urandom(32).hex()
    if not encryption_key:
        if not relaxed:
            raise ConfigError(
                "PUNCHOUT_ENCRYPTION_KEY is not set. Generate one with 'punchout keys generate'."
            )
        encryption_key = Fernet.generate_key().decode()
    try:
        Fernet(encryption_key.encode())
    except (ValueError, TypeError):
        raise ConfigError(
            "PUNCHOUT_ENCRYPTION_KEY is not a valid Fernet key (32 url-safe base64-encoded "
            "bytes); generate one with 'punchout keys generate'"
        ) from None
    timezone = env.get("PUNCHOUT_TIMEZONE", "").strip() or "Europe/Stockholm"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"PUNCHOUT_TIMEZONE {timezone!r} is not a known time zone") from None
    language = env.get("PUNCHOUT_LANGUAGE", "").strip().lower() or "sv"
    if language not in LANGUAGES:
        raise ConfigError(f"PUNCHOUT_LANGUAGE must be one of {', '.join(LANGUAGES)}, "
                          f"not {language!r}")
    log_format = env.get("PUNCHOUT_LOG_FORMAT", "").strip().lower() or "text"
    if log_format not in ("text", "json"):
        raise ConfigError(f"PUNCHOUT_LOG_FORMAT must be text or json, not {log_format!r}")
    base_url = env.get("PUNCHOUT_BASE_URL", "").strip().rstrip("/")
    if base_url and not base_url.startswith(("http://", "https://")):
        raise ConfigError(
            f"PUNCHOUT_BASE_URL must start with http:// or https://, not {base_url!r}"
        )
    return Settings(
        database_url=env.get("PUNCHOUT_DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL,
        secret_key=secret_key,
        secret_key_fallbacks=tuple(
            p.strip() for p in env.get("PUNCHOUT_SECRET_KEY_FALLBACKS", "").split(",") if p.strip()
        ),
        encryption_key=encryption_key,
        base_url=base_url,
        session_ttl=_int(env, "PUNCHOUT_SESSION_TTL", 3600),
        supplier_timeout=_int(env, "PUNCHOUT_SUPPLIER_TIMEOUT", 15),
        supplier_concurrency=_int(env, "PUNCHOUT_SUPPLIER_CONCURRENCY", 4),
        allowed_supplier_hosts=_split(env.get("PUNCHOUT_ALLOWED_SUPPLIER_HOSTS")),
        allowed_return_hosts=_split(env.get("PUNCHOUT_ALLOWED_RETURN_HOSTS")),
        max_body=_int(env, "PUNCHOUT_MAX_BODY", DEFAULT_MAX_BODY),
        timezone=timezone,
        cxml_dtd=default_cxml_dtd(env),
        peppol_outbox=Path(env["PUNCHOUT_PEPPOL_OUTBOX"].strip())
        if env.get("PUNCHOUT_PEPPOL_OUTBOX", "").strip() else None,
        language=language,
        log_format=log_format,
        ratelimits=_switch(env, "PUNCHOUT_RATELIMITS", True),
        ratelimit_storage=env.get("PUNCHOUT_RATELIMIT_STORAGE", "").strip(),
        archive_retention_days=_int(env, "PUNCHOUT_ARCHIVE_RETENTION_DAYS", 2557),
        smtp_url=_smtp_url(env.get("PUNCHOUT_SMTP_URL", "").strip()),
        mail_from=env.get("PUNCHOUT_MAIL_FROM", "").strip(),
        order_attempts=_int(env, "PUNCHOUT_ORDER_ATTEMPTS", 6),
        order_backoff=_int(env, "PUNCHOUT_ORDER_BACKOFF", 30),
    )


def _smtp_url(value: str) -> str:
    if value and not value.startswith(("smtp://", "smtp+starttls://", "smtps://")):
        raise ConfigError("PUNCHOUT_SMTP_URL must look like smtp://[user:pass@]host:port, "
                          f"smtp+starttls://… or smtps://…, not {value.split('@')[-1]!r}")
    return value
