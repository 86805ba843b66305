"""Passwords are stored as scrypt hashes (the tests' own process hashes them quickly, see
tests/conftest.py; this is the one place that checks what production does)."""

from __future__ import annotations

import subprocess
import sys

from werkzeug.security import generate_password_hash

from punchout.services import accounts
from testkit.constants import QUICK_PASSWORD_HASH

#: What a fresh process (production) stores, and checks a login against.
PROBE = """
from werkzeug.security import check_password_hash
from punchout.services import accounts
stored = accounts.hash_password("correct horse battery")
assert check_password_hash(stored, "correct horse battery")
assert not check_password_hash(stored, "wrong horse battery")
assert accounts._dummy_hash().split("$")[0] == stored.split("$")[0]
print(stored.split("$")[0])
"""


def test_production_stores_scrypt_hashes_and_checks_them():
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                         check=True, timeout=60).stdout.strip()
    assert out == "scrypt:32768:8:1"


def test_the_tests_hash_quickly_but_logins_read_the_method_from_the_hash(gateway):
    assert accounts.PASSWORD_HASH == QUICK_PASSWORD_HASH
    with gateway.session_factory() as db:
        org = accounts.create_org(db, "Hashkommun")
        user = accounts.create_user(db, org, "hash@kommun.example", "long enough", ["buyer"])
        assert user.password_hash.startswith("pbkdf2:sha256:1$")
        # A hash written with another method (production's) is still checked by its own.
        user.password_hash = generate_password_hash("scrypt too", method="scrypt:1024:8:1")
        db.commit()
        assert accounts.authenticate(db, "hash@kommun.example", "scrypt too") is not None
        assert accounts.authenticate(db, "hash@kommun.example", "long enough") is None
        assert accounts.authenticate(db, "nobody@kommun.example", "long enough") is None
