"""The assortment readers stay pure: no web framework, database or network, one XML parser.

The CLI, the admin pages and the API all import them; Peppol catalogues are untrusted XML and
must go through ``punchout.safexml.parse_untrusted`` like every other document.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from testkit.constants import REPO

SOURCES = sorted((REPO / "punchout" / "assortment").glob("*.py"))
FORBIDDEN_MODULES = ("flask", "werkzeug", "sqlalchemy", "psycopg", "requests", "http.client")
ALLOWED_PROJECT_MODULES = ("punchout.safexml", "punchout.domain.money", "punchout.domain.units",
                           "punchout.errors", "punchout.textguard")
PARSING_CALLS = {"XMLParser", "HTMLParser", "fromstring", "XML", "parse", "iterparse",
                 "XMLPullParser"}


def test_importing_the_readers_loads_no_framework() -> None:
    check = (
        "import punchout.assortment, sys; "
        f"bad = [m for m in {FORBIDDEN_MODULES!r} if m in sys.modules]; "
        "assert not bad, bad"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO))
    result = subprocess.run([sys.executable, "-c", check], cwd=REPO, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", SOURCES, ids=[p.name for p in SOURCES])
def test_sources_import_nothing_impure(path: Path) -> None:
    for name in _imports(path):
        root = name.split(".")[0]
        assert root not in {"flask", "werkzeug", "sqlalchemy", "psycopg", "requests", "socket"}
        assert name not in {"urllib.request", "http.client", "http.server"}
        if root == "punchout":
            assert name.startswith("punchout.assortment") or name in ALLOWED_PROJECT_MODULES, name


@pytest.mark.parametrize("path", SOURCES, ids=[p.name for p in SOURCES])
def test_readers_never_build_their_own_xml_parser(path: Path) -> None:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id == "etree"):
            assert node.attr not in PARSING_CALLS, f"{path.name}:{node.lineno} etree.{node.attr}"
