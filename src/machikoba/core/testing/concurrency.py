"""Real concurrent transactions for the PostgreSQL race tests: run attempts at the same
moment, each in its own thread and database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections

# The mark every race module carries: row locks need PostgreSQL (CI always runs on it,
# with MACHIKOBA_REQUIRE_POSTGRES), and SQLite serialises writers anyway.
needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it)"
)


def race(*attempts: Callable[[], Any]) -> list[Any]:
    """Run the attempts at the same moment; each one's result, or the exception it raised
    (the race's loser is the point)."""
    barrier = threading.Barrier(len(attempts))
    results: list[Any] = [None] * len(attempts)

    def run(index: int, attempt: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = attempt()
        except Exception as error:
            results[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(attempts)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results
