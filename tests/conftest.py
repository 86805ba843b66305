"""Shared fixtures: a migrated database (SQLite, or PostgreSQL when PUNCHOUT_TEST_DATABASE_URL
is set), the gateway app, the mock shop app, and a router that sends the gateway's
server-to-server calls into the mock shop in-process."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
import responses
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

from punchout.config import Settings
from punchout.persistence import db as dbmod
from punchout.persistence.models import Base
from punchout.services import accounts
from punchout.services.context import Gateway
from testkit.constants import (
    BUYER_EMAIL,
    BUYER_IDENTITY,
    BUYER_PASSWORD,
    GATEWAY_URL,
    OCI_PASSWORD,
    OCI_USER,
    QUICK_PASSWORD_HASH,
    SHARED_SECRET,
    SHOP_HOST,
    SHOP_IDENTITY,
    SHOP_URL,
    TEST_DB_URL,
)
from testkit.database import reset_postgres
from testkit.dtd import require_cxml_dtd


@pytest.fixture(scope="session", autouse=True)
def quick_password_hashes() -> Iterator[None]:
    """Passwords set in the tests' own process are hashed with one PBKDF2 round: production's
    scrypt (about 0.12 s a hash and 0.15 s a check, on purpose) made up a third of the suite.
    A login reads the method from the stored hash, so logins behave alike; that production
    hashes with scrypt is tested on its own (tests/hardening/test_password_hashes.py)."""
    production = accounts.PASSWORD_HASH
    accounts.PASSWORD_HASH = QUICK_PASSWORD_HASH
    try:
        yield
    finally:
        accounts.PASSWORD_HASH = production


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Run the real migrations once: on PostgreSQL into the test database, on SQLite into a
    template file that each test copies."""
    if TEST_DB_URL:
        reset_postgres(TEST_DB_URL)
        dbmod.upgrade(TEST_DB_URL)
        return TEST_DB_URL
    path = tmp_path_factory.mktemp("db") / "template.db"
    dbmod.upgrade(f"sqlite:///{path}")
    return str(path)


@pytest.fixture
def database_url(migrated_template: str, tmp_path: Path) -> Iterator[str]:
    if TEST_DB_URL:
        yield TEST_DB_URL
        engine = create_engine(TEST_DB_URL)
        names = ", ".join(t.name for t in Base.metadata.sorted_tables)
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        engine.dispose()
    else:
        path = tmp_path / "punchout.db"
        shutil.copy(migrated_template, path)
        yield f"sqlite:///{path}"


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key="test-secret-key-0123456789",
        encryption_key=Fernet.generate_key().decode(),
        base_url=GATEWAY_URL,
        allowed_supplier_hosts=(SHOP_HOST,),
        allowed_return_hosts=("erp.example",),
        supplier_timeout=5,
        testing=True,
        # Tests read the English pages unless they ask for Swedish (Accept-Language or cookie).
        language="en",
    )


@pytest.fixture
def gateway(settings: Settings) -> Iterator[Gateway]:
    gw = Gateway.from_settings(settings)
    yield gw
    gw.engine.dispose()


@pytest.fixture
def app(gateway: Gateway):  # type: ignore[no-untyped-def]
    from punchout.app import create_app

    return create_app(gateway=gateway)


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def seeded(gateway: Gateway) -> dict[str, object]:
    """An organisation with a buyer, an approver, an API token and a cXML supplier that points
    at the mock shop."""
    with gateway.session_factory() as db:
        org = accounts.create_org(db, "Testkommun", allowed_return_hosts="erp.kommun.example")
        buyer = accounts.create_user(db, org, BUYER_EMAIL, BUYER_PASSWORD, ["buyer"],
                                     name="Anna Buyer")
        accounts.create_user(db, org, "olle.approver@kommun.example", BUYER_PASSWORD,
                             ["approver"])
        supplier = accounts.add_supplier(
            db, gateway.box, org, "Kontorsgrossisten", protocol="cxml",
            setup_url=f"{SHOP_URL}/cxml/setup", from_identity=BUYER_IDENTITY,
            to_identity=SHOP_IDENTITY, shared_secret=SHARED_SECRET, deployment_mode="test")
        token = accounts.create_token(db, org, "erp")
        db.commit()
        return {"org_id": org.id, "buyer_id": buyer.id, "supplier_id": supplier.id,
                "supplier": supplier.name, "token": token}


@pytest.fixture
def shop_app():  # type: ignore[no-untyped-def]
    from mock_shop import create_app as create_shop

    return create_shop({"MOCK_SHOP_BUYERS": f"{BUYER_IDENTITY}:{SHARED_SECRET}",
                        "MOCK_SHOP_IDENTITY": SHOP_IDENTITY,
                        "MOCK_SHOP_PUBLIC_URL": SHOP_URL,
                        "MOCK_SHOP_SECRET_KEY": "shop-test-key",
                        "MOCK_SHOP_OCI_USERS": f"{OCI_USER}:{OCI_PASSWORD}",
                        "MOCK_SHOP_OCI_HOOK_HOSTS": "gateway.test"})


@pytest.fixture
def shop_client(shop_app):  # type: ignore[no-untyped-def]
    return shop_app.test_client()


@pytest.fixture
def routed_shop(shop_client) -> Iterator[responses.RequestsMock]:  # type: ignore[no-untyped-def]
    """Server-to-server calls to http://shop.test go into the mock shop's app in-process."""

    def forward(request: requests.PreparedRequest):  # type: ignore[no-untyped-def]
        parts = urlsplit(request.url)
        body = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
        resp = shop_client.open(parts.path, method=request.method, query_string=parts.query,
                                data=body, headers=dict(request.headers))
        return resp.status_code, dict(resp.headers), resp.get_data()

    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        rsps.add_callback(responses.POST, f"{SHOP_URL}/cxml/setup", callback=forward)
        for method in (responses.GET, responses.POST):
            rsps.add_callback(method, f"{SHOP_URL}/oci", callback=forward)
            rsps.add_callback(method, f"{SHOP_URL}/peppol", callback=forward)
        yield rsps


@pytest.fixture
def oci_supplier(gateway: Gateway, seeded: dict[str, object]) -> str:
    """An OCI supplier pointing at the mock shop's /oci entry point."""
    with gateway.session_factory() as db:
        org = accounts.find_org(db, None)
        accounts.add_supplier(db, gateway.box, org, "Skolmaterial OCI", protocol="oci",
                              setup_url=f"{SHOP_URL}/oci", deployment_mode="test",
                              settings={"oci_method": "post", "oci_params": {
                                  "USERNAME": OCI_USER, "PASSWORD": OCI_PASSWORD}})
        db.commit()
    return "Skolmaterial OCI"


@pytest.fixture(scope="session")
def cxml_dtd_path() -> Path:
    """The cXML DTD file; every test that needs it skips with one message when it is absent
    (``.ci/run`` refuses to run without it, so CI never skips these)."""
    return require_cxml_dtd()
