"""Names, paths and credentials the test fixtures and tests agree on."""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared"
#: The cXML DTD the DTD tests validate with: ../shared/cxml beside the checkout, or the copy
#: PUNCHOUT_TEST_CXML_DTD names.
DTD_PATH = Path(os.environ.get("PUNCHOUT_TEST_CXML_DTD", "").strip()
                or SHARED / "cxml" / "1.2.063" / "cXML.dtd")
DTD_MISSING = (f"cXML DTD not found at {DTD_PATH} (it comes with ../shared/cxml; "
               "PUNCHOUT_TEST_CXML_DTD names another copy): DTD tests skipped")
VECTORS = REPO / "tests" / "vectors"

TEST_DB_URL = os.environ.get("PUNCHOUT_TEST_DATABASE_URL", "").strip()
SHOP_HOST = "shop.test"
SHOP_URL = f"http://{SHOP_HOST}"
GATEWAY_URL = "http://gateway.test"
BUYER_IDENTITY = "punchout-test-buyer"
SHOP_IDENTITY = "mock-shop"
SHARED_SECRET = "s3cret-for-tests"
BUYER_EMAIL = "anna.buyer@kommun.example"
BUYER_PASSWORD = "correct horse battery"
OCI_USER = "kommun-oci"
OCI_PASSWORD = "oci-pass-word"
#: How the tests' own process hashes passwords (tests/conftest.py): quick, and not production's.
QUICK_PASSWORD_HASH = "pbkdf2:sha256:1"
