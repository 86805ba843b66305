"""The cXML DTD for the tests that validate against it."""

from __future__ import annotations

from pathlib import Path

import pytest

from testkit.constants import DTD_MISSING, DTD_PATH


def require_cxml_dtd() -> Path:
    """The DTD's path; skips the calling test with one message when it is absent (``.ci/run``
    refuses to start without it, so CI never skips these)."""
    if not DTD_PATH.is_file():
        pytest.skip(DTD_MISSING)
    return DTD_PATH
