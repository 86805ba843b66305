"""The command line's imports are at module level except the demo's: the web stack, the mock
shop and the demo's mail sink serve `punchout demo` alone, so no other command loads them."""

from __future__ import annotations

import os
import subprocess
import sys

from testkit.constants import REPO

DEMO_ONLY = ("punchout.app", "punchout.web", "mock_shop", "aiosmtpd")


def test_the_cli_starts_without_the_demos_modules() -> None:
    check = ("import sys, punchout.cli; "
             f"loaded = [m for m in {DEMO_ONLY!r} if m in sys.modules]; "
             "assert not loaded, loaded")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p))
    result = subprocess.run([sys.executable, "-c", check], cwd=REPO, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
