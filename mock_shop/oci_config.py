"""The shop's OCI settings: login users, allowed HOOK_URL hosts, return method, vendor number."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .credentials import parse_credentials

RETURN_METHODS = ("post", "get")
LOOPBACK_HOSTS = "localhost,127.0.0.1,::1"
ANY_HOST = "*"
VENDOR_MAX = 10

DEFAULTS: dict[str, Any] = {
    "MOCK_SHOP_OCI_USERS": "punchout-demo:demo-oci-pass",
    "MOCK_SHOP_OCI_HOOK_HOSTS": LOOPBACK_HOSTS,
    "MOCK_SHOP_OCI_RETURN_METHOD": "post",
    "MOCK_SHOP_OCI_VENDOR": "MOCK01",
}


@dataclass(frozen=True)
class OciSettings:
    users: dict[str, str] = field(repr=False)
    hook_hosts: frozenset[str]  # lower-case host names; "*" allows any host
    return_method: str = "post"
    vendor: str = "MOCK01"

    def host_allowed(self, host: str) -> bool:
        return ANY_HOST in self.hook_hosts or host.lower() in self.hook_hosts


def parse_users(value: str | Mapping[str, str]) -> dict[str, str]:
    """``user:password,user:password`` (or a mapping) into a dict; refuses empty passwords."""
    return parse_credentials(value, "MOCK_SHOP_OCI_USERS", "user", "a real password")


def parse_hook_hosts(value: str) -> frozenset[str]:
    """A comma list of host names or addresses (``[::1]`` or ``::1``); ``*`` means any host."""
    hosts = set()
    for entry in str(value).split(","):
        host = entry.strip().lower()
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
        if host:
            hosts.add(host)
    if not hosts:
        raise ValueError("MOCK_SHOP_OCI_HOOK_HOSTS names no host (use * to allow any)")
    return frozenset(hosts)


def load_oci_settings(config: Mapping[str, Any]) -> OciSettings:
    method = str(config["MOCK_SHOP_OCI_RETURN_METHOD"]).strip().lower()
    if method not in RETURN_METHODS:
        raise ValueError(f"MOCK_SHOP_OCI_RETURN_METHOD must be one of {', '.join(RETURN_METHODS)}")
    vendor = str(config["MOCK_SHOP_OCI_VENDOR"]).strip()
    if not vendor or len(vendor) > VENDOR_MAX:
        raise ValueError(f"MOCK_SHOP_OCI_VENDOR must be 1 to {VENDOR_MAX} characters")
    return OciSettings(
        users=parse_users(config["MOCK_SHOP_OCI_USERS"]),
        hook_hosts=parse_hook_hosts(config["MOCK_SHOP_OCI_HOOK_HOSTS"]),
        return_method=method,
        vendor=vendor,
    )
