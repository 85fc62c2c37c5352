"""No overspend under concurrency, SQLite: however many threads or processes reserve at once,
the granted reservations never add up past the limit, and exactly as many are granted as fit.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import orjson

from costplane.adapters.local.sqlite import SqliteRecords
from tests.support.stores import sqlite_budgets

LEDGER = "ml-prod#2026-11"
LIMIT = Decimal("10.00")


def _race(
    workers: int, attempts: int, reserve: Callable[[int, str], bool], prefix: str = "w"
) -> list[str]:
    """Every worker tries `attempts` reservations after a common start; the granted ids."""
    start = threading.Barrier(workers)
    granted: list[str] = []
    lock = threading.Lock()

    def work(worker: int) -> None:
        start.wait()
        for attempt in range(attempts):
            reservation = f"{prefix}{worker}-{attempt}"
            if reserve(worker, reservation):
                with lock:
                    granted.append(reservation)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return granted


def test_threads_sharing_one_store_never_pass_the_limit(tmp_path: Path) -> None:
    store = sqlite_budgets(tmp_path / "state.db")
    amount = Decimal("0.30")
    granted = _race(16, 5, lambda _, r: store.reserve(LEDGER, r, amount, LIMIT))
    assert len(granted) == 33  # floor(10.00 / 0.30)
    assert store.committed(LEDGER) == Decimal("9.90")


def test_threads_with_their_own_connections_never_pass_the_limit(tmp_path: Path) -> None:
    stores = [sqlite_budgets(tmp_path / "state.db") for _ in range(12)]
    amount = Decimal("0.25")
    granted = _race(12, 6, lambda w, r: stores[w].reserve(LEDGER, r, amount, LIMIT))
    assert len(granted) == 40
    assert stores[0].committed(LEDGER) == LIMIT


def test_processes_never_pass_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    SqliteRecords(path).close()
    script = textwrap.dedent(
        """
        import sys, time
        from decimal import Decimal
        import orjson
        from tests.support.stores import sqlite_budgets
        path, worker, start_at = sys.argv[1], sys.argv[2], float(sys.argv[3])
        store = sqlite_budgets(path)
        time.sleep(max(0.0, start_at - time.time()))
        granted = [
            f"p{worker}-{i}" for i in range(20)
            if store.reserve("ml-prod#2026-11", f"p{worker}-{i}", Decimal("0.25"), Decimal("10.00"))
        ]
        sys.stdout.write(orjson.dumps(granted).decode())
        """
    )
    start_at = time.time() + 1.0  # every process is up and waiting before the first reservation
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(path), str(worker), str(start_at)],
            stdout=subprocess.PIPE,
        )
        for worker in range(4)
    ]
    outputs = [p.communicate(timeout=120)[0] for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0, 0]
    granted = [r for out in outputs for r in orjson.loads(out)]
    assert len(granted) == 40  # 80 attempts of 0.25 against 10.00
    assert len(set(granted)) == 40
    assert sqlite_budgets(path).committed(LEDGER) == LIMIT


def test_settling_below_the_reservation_frees_exactly_the_difference(tmp_path: Path) -> None:
    store = sqlite_budgets(tmp_path / "state.db")
    first = _race(8, 1, lambda _, r: store.reserve(LEDGER, r, Decimal("2.50"), LIMIT))
    assert len(first) == 4
    assert all(store.settle(reservation, Decimal("2.00")) for reservation in first)
    assert store.committed(LEDGER) == Decimal("8.00")
    second = _race(8, 1, lambda _, r: store.reserve(LEDGER, r, Decimal(1), LIMIT), prefix="s")
    assert len(second) == 2
    assert store.committed(LEDGER) == LIMIT
