"""One parser for the shop's credential lists (buyers, OCI users)."""

from __future__ import annotations

from collections.abc import Mapping


def parse_credentials(value: str | Mapping[str, str], setting: str, who: str,
                      what: str) -> dict[str, str]:
    """``name:secret,name:secret`` (or a mapping) into a dict; refuses empty or "none"
    secrets. ``setting``, ``who`` and ``what`` name things in the error messages."""
    if isinstance(value, Mapping):
        pairs = list(value.items())
    else:
        pairs = []
        for entry in str(value).split(","):
            if not entry.strip():
                continue
            name, sep, secret = entry.strip().partition(":")
            if not sep:
                raise ValueError(f"{setting} entry {entry!r} is not {who}:{what.split()[-1]}")
            pairs.append((name, secret))
    found: dict[str, str] = {}
    for name, secret in pairs:
        name, secret = name.strip(), secret.strip()
        if not name or not secret or secret.casefold() == "none":
            raise ValueError(f"{setting}: {who} {name!r} needs {what}")
        found[name] = secret
    if not found:
        raise ValueError(f"{setting} names no {who}")
    return found
