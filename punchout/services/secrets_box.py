"""Supplier secrets at rest: Fernet with PUNCHOUT_ENCRYPTION_KEY, never the plain value."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken


class SecretBox:
    def __init__(self, key: str):
        self._fernet = Fernet(key.encode())

    def encrypt(self, plain: str) -> str:
        return self._fernet.encrypt(plain.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            raise ValueError(
                "a stored supplier secret cannot be decrypted with PUNCHOUT_ENCRYPTION_KEY "
                "(was the key changed?); set the supplier's secret again"
            ) from None


def mask(secret: str | None) -> str:
    return "********" if secret else ""
