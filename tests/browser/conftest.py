"""pytest-playwright with Debian's Chromium, against the real demo servers: one browser for the
session, one demo for the module (stopped after it: its order worker polls the database)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from testkit.browser import Demo, demo_servers, launch_args, log_in


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):  # type: ignore[no-untyped-def]
    return {**browser_type_launch_args, **launch_args()}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    folder: Path = tmp_path_factory.mktemp("browser-demo")
    with demo_servers(folder) as running:
        yield running


@pytest.fixture(scope="module")
def signed_in(browser, demo: Demo) -> Callable[[tuple[str, str]], dict]:  # type: ignore[no-untyped-def]
    """The cookies of a user who logged in through the form, once a module: a flow that only
    needs someone logged in starts from them (a login costs a password hash, seconds on a
    loaded machine); the flows that test the login itself use the form."""
    states: dict[tuple[str, str], dict] = {}

    def state(who: tuple[str, str]) -> dict:
        if who not in states:
            context = browser.new_context()
            page = context.new_page()
            log_in(page, demo.gateway, who)
            assert not page.url.endswith("/login"), f"{who[0]} could not log in"
            states[who] = context.storage_state()
            context.close()
        return states[who]

    return state
