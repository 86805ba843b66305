"""What the certification tests share: the mock shop served on a loopback port (real HTTP, so
the suite's own transport, redirects, cookies and capture server are exercised), suite
configurations for it, and an agreement over the mock shop's own catalogue."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from werkzeug.serving import make_server

from mock_shop import create_app
from mock_shop.catalogue import load_catalogue
from punchout.certify import AgreementCheck, Protocol, SuiteConfig
from punchout.domain.agreement import AgreedItem, AgreementRules
from punchout.domain.basket import Basket
from punchout.domain.check import basket_keys, check, index_items
from punchout.domain.verdicts import BasketVerdict
from punchout.oci import OciMethod

BUYER = "certify-buyer"
SECRET = "certify-s3cret-value"
OCI_USER = "certify-oci"
OCI_PASSWORD = "oci-pa55word-value"
#: The slow-setup fault sleeps this long; the tests set the time limit below it.
SLOW_SECONDS = 0.5
TIME_LIMIT = 0.25

logging.getLogger("werkzeug").setLevel(logging.ERROR)


@contextmanager
def live_shop(**config: Any) -> Iterator[str]:
    """The mock shop on ``127.0.0.1`` at a free port; yields its base URL."""
    settings: dict[str, Any] = {
        "MOCK_SHOP_BUYERS": f"{BUYER}:{SECRET}",
        "MOCK_SHOP_OCI_USERS": f"{OCI_USER}:{OCI_PASSWORD}",
        "MOCK_SHOP_SECRET_KEY": "certify-test-key",
        "MOCK_SHOP_SLOW_SECONDS": SLOW_SECONDS,
        **config,
    }
    server = make_server("127.0.0.1", 0, create_app(settings), threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def cxml_config(base: str, **overrides: Any) -> SuiteConfig:
    values: dict[str, Any] = {
        "from_identity": BUYER,
        "to_identity": "mock-shop",
        "shared_secret": SECRET,
        "allowed_hosts": ("127.0.0.1",),
        "timeout": 5.0,
        **overrides,
    }
    return SuiteConfig(f"{base}/cxml/setup", Protocol.CXML, **values)


def oci_config(base: str, **overrides: Any) -> SuiteConfig:
    values: dict[str, Any] = {
        "oci_params": (("USERNAME", OCI_USER), ("PASSWORD", OCI_PASSWORD)),
        "oci_method": OciMethod.POST,
        "allowed_hosts": ("127.0.0.1",),
        "timeout": 5.0,
        **overrides,
    }
    return SuiteConfig(f"{base}/oci", Protocol.OCI, **values)


def catalogue_agreement() -> AgreementCheck:
    """An agreement whose assortment is the mock shop's catalogue at its own prices."""
    items = [
        AgreedItem(a.supplier_part_id, a.unit, a.price, "SEK",
                   price_basis_quantity=a.price_basis_quantity)
        for a in load_catalogue().articles
    ]
    by_key = index_items(items)
    rules = AgreementRules("MOCK-2026", "SEK", date(2020, 1, 1), date(2099, 12, 31))

    def agreement(basket: Basket) -> BasketVerdict:
        rows = {key: by_key.get(key, []) for key in basket_keys(basket)}
        return check(basket, rules, rows, date.today())

    return agreement


def peppol_config(base: str, **overrides: Any) -> SuiteConfig:
    """The mock shop's Peppol Punch Out 3 entry, called like OCI."""
    values: dict[str, Any] = {
        "oci_params": (("USERNAME", OCI_USER), ("PASSWORD", OCI_PASSWORD)),
        "oci_method": OciMethod.POST,
        "allowed_hosts": ("127.0.0.1",),
        "timeout": 5.0,
        **overrides,
    }
    return SuiteConfig(f"{base}/peppol", Protocol.PEPPOL, **values)
