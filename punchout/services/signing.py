"""Signed, expiring tokens (itsdangerous). Each use has its own salt; fallbacks allow rotation."""

from __future__ import annotations

from typing import Any

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

RETURN_SALT = "punchout.return-url.v1"


class TokenInvalid(Exception):
    pass


class TokenExpired(TokenInvalid):
    pass


class Signer:
    def __init__(self, secret_key: str, fallbacks: tuple[str, ...] = (), salt: str = RETURN_SALT):
        # itsdangerous signs with the last key and verifies with all of them.
        keys = [*fallbacks, secret_key]
        self._serializer = URLSafeTimedSerializer(keys, salt=salt)

    def dumps(self, payload: dict[str, Any]) -> str:
        return str(self._serializer.dumps(payload))

    def loads(self, token: str, max_age: int) -> dict[str, Any]:
        try:
            data = self._serializer.loads(token, max_age=max_age)
        except SignatureExpired:
            raise TokenExpired("this return link has expired") from None
        except BadSignature:
            raise TokenInvalid("this return link is not valid") from None
        if not isinstance(data, dict):
            raise TokenInvalid("this return link is not valid")
        return data
