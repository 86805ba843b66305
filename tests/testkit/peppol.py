"""OpenPEPPOL's Schematron rules (``../shared/peppol/validate.py``) for the tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from testkit.constants import SHARED

VALIDATE = SHARED / "peppol" / "validate.py"
RULES_MISSING = (f"Peppol rules not found at {VALIDATE} (they come with ../shared/peppol): "
                 "Schematron tests skipped")


def require_peppol_rules() -> Path:
    """validate.py's path; skips the calling test with one message when it is absent (CI has
    ../shared and must not skip these)."""
    if not VALIDATE.is_file():
        pytest.skip(RULES_MISSING)
    pytest.importorskip("saxonche", reason="saxonche (SaxonC-HE) is in the test extra")
    return VALIDATE


def validate(transaction: str, files: list[Path]) -> dict[str, list[dict]]:
    """``{file name: failed asserts}`` from one run of validate.py over ``files``."""
    script = require_peppol_rules()
    done = subprocess.run([sys.executable, str(script), transaction, *map(str, files), "--json"],
                          capture_output=True, text=True, timeout=120, check=False)
    if done.returncode not in (0, 1):
        raise AssertionError(f"validate.py failed: {done.stderr[-2000:]}")
    results = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
    return {Path(result["file"]).name: result["failed"] for result in results}


def fatal_rules(failed: list[dict]) -> set[str]:
    return {item["id"] for item in failed if item["flag"] == "fatal"}
