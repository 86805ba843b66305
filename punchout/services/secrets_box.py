"""Supplier secrets at rest: Fernet with PUNCHOUT_ENCRYPTION_KEY, never the plain value."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken

#: Decrypted secrets a box remembers, by ciphertext (a bound, not a tuning).
MAX_REMEMBERED = 1024


class SecretBox:
    """Encrypts and decrypts supplier secrets. A decrypted secret is remembered by its
    ciphertext: every cXML start decrypts its supplier's secret, and Fernet's HMAC and AES were
    a measurable part of it. A changed secret has a new ciphertext (Fernet's IV and time stamp
    differ), so nothing stale is ever answered."""

    def __init__(self, key: str):
        self._fernet = Fernet(key.encode())
        self._plain: dict[str, str] = {}

    def encrypt(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def decrypt(self, token: str) -> str:
        plain = self._plain.get(token)
        if plain is not None:
            return plain
        try:
            plain = self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise ValueError(
                "a stored supplier secret cannot be decrypted with PUNCHOUT_ENCRYPTION_KEY "
                "(was the key changed?); set the supplier's secret again"
            ) from None
        if len(self._plain) >= MAX_REMEMBERED:
            self._plain.clear()
        self._plain[token] = plain
        return plain


def mask(secret: str | None) -> str:
    return "********" if secret else ""
