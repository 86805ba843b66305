"""The cXML codec stays pure: no web framework, database or network code, one XML parser.

The gateway, the mock shop and the CLI all import it; keeping it free of Flask and SQLAlchemy
keeps it usable (and testable) everywhere, and keeping every lxml parse call in
``punchout.safexml`` means untrusted XML has exactly one way in.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from testkit.constants import REPO

CXML_DIR = REPO / "punchout" / "cxml"

FORBIDDEN_MODULES = ("flask", "werkzeug", "sqlalchemy", "psycopg", "requests", "http.client")


def test_importing_the_codec_loads_no_framework() -> None:
    check = (
        "import punchout.cxml, sys; "
        "assert 'flask' not in sys.modules and 'sqlalchemy' not in sys.modules; "
        f"bad = [m for m in {FORBIDDEN_MODULES!r} if m in sys.modules]; "
        "assert not bad, bad"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO))
    result = subprocess.run(
        [sys.executable, "-c", check], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


SOURCES = sorted(CXML_DIR.glob("*.py"))


@pytest.mark.parametrize("path", SOURCES, ids=[p.name for p in SOURCES])
def test_codec_sources_import_nothing_impure(path: Path) -> None:
    for name in _imports(path):
        root = name.split(".")[0]
        assert root not in {"flask", "werkzeug", "sqlalchemy", "psycopg", "requests", "socket"}
        assert name not in {"urllib.request", "http.client", "http.server"}
        if root == "punchout":
            # Only the codec itself, the hardened parser, the one form decoder, the error base
            # and the protocol-neutral domain it maps baskets to (all pure, see pyproject's
            # import-linter layers).
            assert name.startswith(("punchout.cxml", "punchout.domain")) or name in (
                "punchout.safexml", "punchout.formdata", "punchout.errors"), name


PARSING_CALLS = {
    "XMLParser",
    "HTMLParser",
    "fromstring",
    "XML",
    "parse",
    "iterparse",
    "XMLPullParser",
}


@pytest.mark.parametrize("path", SOURCES, ids=[p.name for p in SOURCES])
def test_codec_never_builds_its_own_parser(path: Path) -> None:
    """Every parse of untrusted XML goes through ``punchout.safexml.parse_untrusted``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "etree"
        ):
            assert node.attr not in PARSING_CALLS, f"{path.name}:{node.lineno} etree.{node.attr}"
