"""What a run is told: the endpoint, the credentials, limits, and the optional extras.

The suite stays free of the database: an agreement is handed in as a plain callable
(``agreement_check``) that the command line or the gateway builds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from punchout.certify.model import Protocol
from punchout.cxml.model import DeploymentMode
from punchout.domain.basket import Basket
from punchout.domain.verdicts import BasketVerdict
from punchout.formdata import python_codec
from punchout.oci.call import OciMethod, is_secret_name

AgreementCheck = Callable[[Basket], BasketVerdict]

DEFAULT_TIMEOUT = 15.0
DEFAULT_RESPONSE_TIME_LIMIT = 5.0
#: The most of any answer the suite reads (a setup answer is a few kB, a shop page some 100 kB).
DEFAULT_MAX_RESPONSE_BYTES = 5 * 1024 * 1024
#: The ``returntarget`` the suite asks for. Not the usual ``_top``: a shop that ignores the
#: parameter and always writes ``_top`` would otherwise pass the check unnoticed.
DEFAULT_RETURN_TARGET = "_parent"
#: The charset the suite asks an OCI shop for (what the gateway asks for too).
OCI_CHARSET = "utf-8"


class ConfigError(ValueError):
    """The run cannot start as configured; the message says what to change (exit code 4)."""


@dataclass(frozen=True)
class SuiteConfig:
    url: str
    protocol: Protocol
    # cXML credentials (DESIGN.md's supplier credential options).
    from_domain: str = "NetworkID"
    from_identity: str = ""
    to_domain: str = "NetworkID"
    to_identity: str = ""
    #: Default: the from identity.
    sender_identity: str | None = None
    shared_secret: str | None = field(default=None, repr=False)
    deployment_mode: DeploymentMode = DeploymentMode.TEST
    # OCI.
    oci_method: OciMethod = OciMethod.POST
    #: The login and static parameters under the supplier's own names.
    oci_params: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    oci_return_target: str = DEFAULT_RETURN_TARGET
    #: How to read a basket field that is not UTF-8 (the check still says it is wrong).
    oci_charset: str = "cp1252"
    # Limits.
    timeout: float = DEFAULT_TIMEOUT
    response_time_limit: float = DEFAULT_RESPONSE_TIME_LIMIT
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES
    # Extras.
    dtd_path: Path | None = None
    #: How long to wait for a person to shop and check out (0: do not wait).
    wait_seconds: float = 0.0
    #: A saved basket (cXML document, or the posted form body) checked instead of a live one.
    basket_file: Path | None = None
    #: Hosts the suite may call besides the target's host; loopback and private addresses are
    #: called only when listed here (``*.example.com`` and ``.example.com`` match subdomains).
    allowed_hosts: tuple[str, ...] = ()
    agreement_check: AgreementCheck | None = field(default=None, repr=False, compare=False)

    @property
    def sender(self) -> str:
        return self.sender_identity or self.from_identity

    @property
    def target_host(self) -> str:
        return (urlsplit(self.url).hostname or "").lower()

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that never appear in a report: the shared secret, OCI password parameters."""
        values = [self.shared_secret or ""]
        values.extend(v for n, v in self.oci_params if is_secret_name(n))
        return tuple(v for v in values if v)

    def validate(self) -> None:
        """Raise :class:`ConfigError` naming what is wrong."""
        parts = urlsplit(self.url.strip())
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"the endpoint must be an absolute http(s) URL, not {self.url!r}")
        for name in ("timeout", "response_time_limit"):
            value = getattr(self, name)
            if not value > 0:
                raise ConfigError(f"{name} must be a positive number of seconds, not {value!r}")
        if self.wait_seconds < 0:
            raise ConfigError(f"wait_seconds cannot be negative ({self.wait_seconds!r})")
        if self.max_response_bytes <= 0:
            raise ConfigError("max_response_bytes must be positive")
        if self.protocol is Protocol.CXML:
            if not self.from_identity.strip():
                raise ConfigError("cXML needs the buyer's From identity (--from-identity)")
            if not (self.shared_secret or "").strip():
                raise ConfigError("cXML needs the shared secret (--shared-secret or "
                                  "PUNCHOUT_SHARED_SECRET)")
        else:
            names = [n.strip() for n, _ in self.oci_params]
            if any(not n for n in names):
                raise ConfigError("an OCI parameter has an empty name")
            if len({n.upper() for n in names}) != len(names):
                raise ConfigError("an OCI parameter is given twice")
            try:
                python_codec(self.oci_charset)
            except ValueError as exc:
                raise ConfigError(f"OCI charset: {exc}") from None
        for name in ("dtd_path", "basket_file"):
            path = getattr(self, name)
            if path is not None and not Path(path).is_file():
                raise ConfigError(f"{name.replace('_', ' ')} {str(path)!r} is not a readable file")
