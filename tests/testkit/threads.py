"""Run a function on fresh threads and collect what each returned."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def on_threads(work: Callable[[], T], count: int) -> list[T]:
    """``work()`` once on each of ``count`` new threads, all started before any is joined."""
    results: list[T] = []
    threads = [threading.Thread(target=lambda: results.append(work())) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == count, "a thread failed (its exception is printed above)"
    return results
