"""The punchout command: set-up commands, secrets that never wait, tokens, keys."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from punchout.cli import main
from punchout.persistence.models import ApiToken, Supplier, User
from punchout.services.secrets_box import SecretBox


@pytest.fixture
def env(database_url, monkeypatch):  # type: ignore[no-untyped-def]
    key = Fernet.generate_key().decode()
    monkeypatch.setenv("PUNCHOUT_DATABASE_URL", database_url)
    monkeypatch.setenv("PUNCHOUT_ENCRYPTION_KEY", key)
    monkeypatch.setenv("PUNCHOUT_SECRET_KEY", "cli-test-secret")
    for var in ("PUNCHOUT_PASSWORD", "PUNCHOUT_SHARED_SECRET"):
        monkeypatch.delenv(var, raising=False)
    return {"url": database_url, "key": key}


def run(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_setup_commands_end_to_end(env):
    assert run("db", "upgrade").exit_code == 0
    r = run("orgs", "create", "Exempelkommun")
    assert r.exit_code == 0, r.output
    r = run("users", "create", "Anna@Kommun.example", "--role", "buyer", "--password",
            "long enough pw")
    assert r.exit_code == 0, r.output
    r = run("suppliers", "add", "Kontorsgrossisten", "--protocol", "cxml", "--setup-url",
            "https://shop.example/setup", "--from-identity", "kommun", "--to-identity", "shop",
            "--shared-secret", "topsecret", "--deployment-mode", "test")
    assert r.exit_code == 0, r.output
    r = run("tokens", "create", "erp")
    assert r.exit_code == 0
    token = r.output.strip()
    assert token.startswith("pog_") and "\n" not in token
    listing = run("tokens", "list").output
    assert "erp" in listing and token not in listing
    assert run("tokens", "revoke", "erp").exit_code == 0
    assert "revoked" in run("tokens", "list").output

    engine = create_engine(env["url"])
    with Session(engine) as db:
        user = db.scalars(select(User)).one()
        assert user.email == "anna@kommun.example" and user.password_hash != "long enough pw"
        supplier = db.scalars(select(Supplier)).one()
        assert "topsecret" not in supplier.shared_secret_encrypted
        assert SecretBox(env["key"]).decrypt(supplier.shared_secret_encrypted) == "topsecret"
        assert supplier.sender_identity == "kommun" and supplier.deployment_mode == "test"
        tok = db.scalars(select(ApiToken)).one()
        assert tok.token_hash != token and tok.revoked_at is not None
    engine.dispose()


def test_secrets_come_from_the_environment(env, monkeypatch):
    run("orgs", "create", "K")
    monkeypatch.setenv("PUNCHOUT_PASSWORD", "from the environment")
    assert run("users", "create", "b@k.example", "--role", "approver").exit_code == 0


def test_without_a_terminal_a_missing_secret_fails_at_once(env):
    run("orgs", "create", "K")
    r = run("users", "create", "b@k.example", "--role", "buyer")
    assert r.exit_code == 2
    assert "PUNCHOUT_PASSWORD" in r.output
    r = run("suppliers", "add", "S", "--protocol", "cxml", "--setup-url", "https://s.example/",
            "--from-identity", "a", "--to-identity", "b")
    assert r.exit_code == 2 and "PUNCHOUT_SHARED_SECRET" in r.output


def test_clear_errors(env, monkeypatch):
    r = run("users", "create", "x@k.example", "--role", "buyer", "--password", "12345678")
    assert r.exit_code == 1 and "no organisation" in r.output
    run("orgs", "create", "A")
    run("orgs", "create", "B")
    r = run("users", "create", "x@k.example", "--role", "buyer", "--password", "12345678")
    assert r.exit_code == 1 and "--org" in r.output
    assert run("orgs", "create", "A").exit_code == 1
    r = run("suppliers", "add", "S", "--org", "A", "--protocol", "cxml", "--setup-url",
            "https://s.example/", "--from-identity", "a", "--to-identity", "b",
            "--shared-secret", "none")
    assert r.exit_code == 1 and "none" in r.output
    monkeypatch.delenv("PUNCHOUT_ENCRYPTION_KEY")
    r = run("suppliers", "add", "S", "--org", "A", "--protocol", "cxml", "--setup-url",
            "https://s.example/", "--from-identity", "a", "--to-identity", "b",
            "--shared-secret", "x")
    assert r.exit_code == 1 and "PUNCHOUT_ENCRYPTION_KEY" in r.output


def test_keys_generate_prints_a_fernet_key():
    r = run("keys", "generate")
    Fernet(r.output.strip().encode())


def test_console_script_works_from_any_directory(tmp_path: Path):
    exe = Path(sys.executable).parent / "punchout"
    env = dict(os.environ, PUNCHOUT_DATABASE_URL=f"sqlite:///{tmp_path}/x.db")
    out = subprocess.run([str(exe), "db", "upgrade"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "x.db").exists()
