"""The Peppol codec stays pure like the cXML one: no framework, database or network code, and
every parse of XML through punchout.safexml."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from testkit.constants import REPO

SOURCES = sorted((REPO / "punchout" / "peppol").glob("*.py"))
PARSING_CALLS = {"XMLParser", "HTMLParser", "fromstring", "XML", "parse", "iterparse",
                 "XMLPullParser"}


def test_importing_the_codec_loads_no_framework() -> None:
    check = ("import punchout.peppol, sys; bad = [m for m in ('flask', 'werkzeug', 'sqlalchemy', "
             "'psycopg', 'requests') if m in sys.modules]; assert not bad, bad")
    result = subprocess.run([sys.executable, "-c", check], cwd=REPO, capture_output=True,
                            text=True, env=dict(os.environ, PYTHONPATH=str(REPO)))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("path", SOURCES, ids=[p.name for p in SOURCES])
def test_imports_only_the_codec_domain_and_safexml(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            if name.startswith("punchout"):
                assert name.startswith(("punchout.peppol", "punchout.domain")) or name in (
                    "punchout.errors", "punchout.formdata") \
                    or name == "punchout.safexml", name
            assert name.split(".")[0] not in {"flask", "werkzeug", "sqlalchemy", "requests"}
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id == "etree"):
            assert node.attr not in PARSING_CALLS, f"{path.name}:{node.lineno} etree.{node.attr}"
