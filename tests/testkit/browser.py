"""What the real-browser tests share: where Debian's Chromium is, the demo servers on free
ports, screenshots into test-artifacts/, and the axe-core scan."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, make_url, text

from testkit.constants import REPO, TEST_DB_URL
from testkit.servers import free_port, wait_until_serving

CHROMIUM = Path(os.environ.get("PUNCHOUT_CHROMIUM", "/usr/lib/chromium/chromium"))
CHROMIUM_MISSING = (f"Chromium not found at {CHROMIUM}: install Debian's package "
                    "('apt-get install -y chromium'; .ci/run does) or set PUNCHOUT_CHROMIUM")
ARTIFACTS = REPO / "test-artifacts" / "browser"
PHONE = {"width": 390, "height": 844}


def launch_args() -> dict[str, object]:
    """Debian's Chromium, not Playwright's download (which cannot be fetched here); as root,
    Chromium needs --no-sandbox."""
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    return {"executable_path": str(CHROMIUM), "args": args}


def log_in(page, gateway: str, who: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    """Through the login form, as a person does."""
    page.goto(f"{gateway}/login")
    page.fill("#email", who[0])
    page.fill("#password", who[1])
    page.locator("form button.primary").click()
    page.wait_for_load_state()


@dataclass(frozen=True)
class Demo:
    gateway: str
    shop: str


def demo_database(folder: Path) -> str:
    """SQLite in ``folder``; on a PostgreSQL run (PUNCHOUT_TEST_DATABASE_URL), a database of
    its own beside the test database, made afresh, so that the whole flow runs on PostgreSQL
    too (the other tests empty the test database while the demo's worker polls it)."""
    if not TEST_DB_URL:
        return f"sqlite:///{folder}/instance/punchout.db"
    url = make_url(TEST_DB_URL)
    name = f"{url.database}_demo"
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@contextmanager
def demo_servers(folder: Path) -> Iterator[Demo]:
    """``punchout demo`` for real, on free ports, with its own database in ``folder``."""
    port, shop_port = free_port(), free_port()
    exe = Path(sys.executable).parent / "punchout"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PUNCHOUT_")}
    env["PUNCHOUT_DATABASE_URL"] = demo_database(folder)
    proc = subprocess.Popen([str(exe), "demo", "--port", str(port), "--shop-port",
                             str(shop_port)], cwd=folder, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, stdin=subprocess.DEVNULL)
    gateway = f"http://127.0.0.1:{port}"
    try:
        wait_until_serving(f"{gateway}/healthz", timeout=60)
        yield Demo(gateway, f"http://localhost:{shop_port}")
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()


class Steps:
    """Numbered full-page screenshots of every step of a test."""

    def __init__(self, name: str) -> None:
        self.folder = ARTIFACTS / name
        self.folder.mkdir(parents=True, exist_ok=True)
        for old in self.folder.glob("*.png"):
            old.unlink()
        self.count = 0

    def shot(self, page, what: str, *, full: bool = True) -> None:  # type: ignore[no-untyped-def]
        self.count += 1
        page.screenshot(path=str(self.folder / f"{self.count:02d}-{what}.png"), full_page=full)


def serious_violations(page) -> list[str]:  # type: ignore[no-untyped-def]
    """axe-core's serious and critical violations on the page. The script is injected by the
    test through the DevTools protocol, not by the page, so the page's CSP stays as it is."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [f"{v['id']} ({v['impact']}): {v['help']} — "
            + "; ".join(n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
                        for n in v["nodes"][:3])
            for v in results.response["violations"] if v["impact"] in ("serious", "critical")]


def horizontal_overflow(page) -> int:  # type: ignore[no-untyped-def]
    """How many CSS pixels the page is wider than its viewport, scroll bar excluded (0: no
    sideways scrolling)."""
    return int(page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"))


def unlabelled_cells(page) -> list[str]:  # type: ignore[no-untyped-def]
    """The text of each cell of a table reflowed into cards (on a phone) that shows no label
    of its column: a number alone. A cell spanning the columns ("no runs yet") and the amount
    beside a total's spanning heading need none."""
    return list(page.evaluate("""() => [...document.querySelectorAll('table.reflow td')]
        .filter(td => getComputedStyle(td).display === 'block' && td.innerText.trim()
                && !td.hasAttribute('colspan')
                && getComputedStyle(td, '::before').content === 'none'
                && !td.parentElement.querySelector(':scope > th[colspan]'))
        .map(td => td.innerText.trim())"""))


class Tour:
    """A person's walk through the pages: at every step a screenshot, the sideways-scroll check,
    the labels of tables reflowed into cards, and the axe scan. What a step finds is collected,
    so that one run lists every page's problems; the test asserts that there are none at its
    end."""

    def __init__(self, name: str) -> None:
        self.steps = Steps(name)
        self.problems: list[str] = []

    def see(self, page, what: str, *, axe: bool = True,  # type: ignore[no-untyped-def]
            full: bool = True) -> str:
        """Record the page as step ``what``; return the text of its ``main``. ``axe=False``
        where the flow comes back to a page already scanned in the same state (the scan is
        the slow part: about a second a page); ``full=False`` for a screenshot of the
        viewport only (the shop's catalogue is 13,000 px long on a phone)."""
        self.steps.shot(page, what, full=full)
        where = f"{what} ({page.url.split('?')[0]})"
        overflow = horizontal_overflow(page)
        if overflow > 0:
            self.problems.append(f"{where}: {overflow} px of sideways scrolling")
        self.problems.extend(f"{where}: a card shows {text!r} without its column's label"
                             for text in unlabelled_cells(page)[:3])
        if axe:
            self.problems.extend(f"{where}: {v}" for v in serious_violations(page))
        return main_text(page)


def main_text(page) -> str:  # type: ignore[no-untyped-def]
    """The text of the page's ``main`` (the body where there is none), with the no-break
    spaces Babel puts in numbers and amounts (``1 275,00 kr``) as plain spaces."""
    text = page.evaluate("(document.querySelector('main') || document.body).innerText")
    return str(text).replace("\xa0", " ").replace("\u202f", " ")
