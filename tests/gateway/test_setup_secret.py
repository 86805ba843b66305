"""The setup request is built once, masked, and the secret put in its place (issue 8): the bytes
sent must be exactly those a build with the secret gives, whatever the secret holds."""

from __future__ import annotations

import dataclasses

import pytest

from punchout.cxml import build_setup_request
from punchout.services.cxml_flow import MASK, _unmasked
from punchout.services.secrets_box import SecretBox
from testkit.cxml_samples import EDIT


def _with_secret(secret: str):  # type: ignore[no-untyped-def]
    sender = dataclasses.replace(EDIT.header.sender, shared_secret=secret)
    return dataclasses.replace(EDIT, header=dataclasses.replace(EDIT.header, sender=sender))


@pytest.mark.parametrize("secret", ["s3cr3t", "with space & amp", "<tag>", "tab\there",
                                    "cr\rlf\n", "å ä ö €", "", "********"])
def test_the_sent_request_is_the_one_a_build_with_the_secret_gives(secret):
    kwargs = {"payload_id": "p@x", "timestamp": "2026-01-01T00:00:00+01:00"}
    masked = build_setup_request(_with_secret(MASK if secret else ""), **kwargs)
    direct = build_setup_request(_with_secret(secret), **kwargs)
    sent = _unmasked(masked, secret) or build_setup_request(_with_secret(secret), **kwargs)
    assert sent == direct


def test_a_mask_that_is_not_the_only_one_is_not_replaced():
    masked = build_setup_request(_with_secret(MASK))
    twice = masked.replace(b"</BuyerCookie>", b"<SharedSecret>********</SharedSecret>"
                           b"</BuyerCookie>")
    assert _unmasked(twice, "s3cr3t") is None


def test_a_secret_is_decrypted_once_per_ciphertext(monkeypatch):
    box = SecretBox("0" * 43 + "=")
    token = box.encrypt("topsecret")
    calls: list[bytes] = []
    real = box._fernet.decrypt

    def counting(data: bytes) -> bytes:
        calls.append(data)
        return real(data)

    monkeypatch.setattr(box._fernet, "decrypt", counting)
    assert box.decrypt(token) == box.decrypt(token) == "topsecret"
    assert len(calls) == 1
    changed = box.encrypt("newsecret")
    assert box.decrypt(changed) == "newsecret"
    with pytest.raises(ValueError, match="cannot be decrypted"):
        box.decrypt("not-a-token")
