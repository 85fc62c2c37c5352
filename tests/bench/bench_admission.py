"""AI admission (issue 10, point 4): latency of reserve + settle on the local store, and the
overshoot of one budget at 64 concurrent callers.

Baseline, in the same run: the naive check-then-reserve that LiteLLM documents and that its
issues report overspending under concurrency (#34732, #35524, #40095): read the spend,
compare it with the budget, then add the request's cost, each its own statement on the same
SQLite file (the add itself atomic, `spent = spent + ?`). LiteLLM adds the cost after the model
call returns, so its real window between check and add is a whole model call; here it is only
the gap between two statements, so the baseline's overshoot is a lower bound of LiteLLM's.

Overshoot is what the budget's counter holds past its limit, in requests' reserved maxima
(the goal: at most one); callers start together behind a barrier and each makes ATTEMPTS
requests, three times what the budget admits in total.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from costplane.adapters.local.admission_ledger import SqliteAdmissionLedger
from costplane.adapters.local.sqlite import connect
from costplane.ai.admission import Usage
from tests.bench.report import Figure, show, summary
from tests.support.admission_race import (
    LEDGER_KEY,
    WORST,
    admission,
    processes,
    racing_request,
    threads,
)

ROUNDS = int(os.environ.get("BENCH_ADMISSION_ROUNDS", "2000"))
CALLERS = 64
FITS = 100
LIMIT = WORST * FITS
ATTEMPTS = 3 * FITS // CALLERS + 1
UNITS = Decimal("1e10")
"""The naive counter holds integer units of 1e-10 USD, so that SQLite adds them exactly."""


class NaiveBudget:
    """Check, then reserve: the spend read, compared, then added by a separate statement."""

    def __init__(self, path: Path | str) -> None:
        self.db = connect(path)
        self.db.execute("CREATE TABLE IF NOT EXISTS naive (budget TEXT PRIMARY KEY, spent INT)")
        self.db.execute("INSERT OR IGNORE INTO naive VALUES ('b', 0)")

    def reserve(self, amount: Decimal, limit: Decimal) -> bool:
        [spent] = self.db.execute("SELECT spent FROM naive WHERE budget = 'b'").fetchone()
        if Decimal(spent) / UNITS + amount > limit:
            return False
        self.db.execute("UPDATE naive SET spent = spent + ? WHERE budget = 'b'", (_units(amount),))
        return True

    def settle(self, reserved: Decimal, cost: Decimal) -> None:
        change = _units(cost) - _units(reserved)
        self.db.execute("UPDATE naive SET spent = spent + ? WHERE budget = 'b'", (change,))

    def spent(self) -> Decimal:
        [spent] = self.db.execute("SELECT spent FROM naive WHERE budget = 'b'").fetchone()
        return Decimal(spent) / UNITS


def _units(amount: Decimal) -> int:
    return int(amount * UNITS)


def _naive_callers(path: str, go: Any, callers: int) -> None:
    start = threading.Barrier(callers)

    def call() -> None:
        naive = NaiveBudget(path)
        start.wait()
        for _ in range(ATTEMPTS):
            naive.reserve(WORST, LIMIT)

    workers = [threading.Thread(target=call) for _ in range(callers)]
    if go is not None:
        go.wait()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def _naive_processes(path: str, count: int, callers: int) -> None:
    NaiveBudget(path).db.close()
    context = multiprocessing.get_context("spawn")
    go = context.Barrier(count)
    workers = [
        context.Process(target=_naive_callers, args=(path, go, callers)) for _ in range(count)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def _latency(reserve_settle: Callable[[int], None]) -> list[float]:
    for index in range(-200, 0):
        reserve_settle(index)
    samples = []
    for index in range(ROUNDS):
        started = time.perf_counter_ns()
        reserve_settle(index)
        samples.append((time.perf_counter_ns() - started) / 1e6)
    return samples


def _overshoot(committed: Decimal) -> float:
    return float(max(Decimal(0), committed - LIMIT) / WORST)


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        service = admission(SqliteAdmissionLedger(root / "latency.db"), Decimal(10**9))
        naive = NaiveBudget(root / "naive-latency.db")

        def ours(index: int) -> None:
            admitted = service.reserve(racing_request("latency", index))
            service.settle(admitted.request_id, Usage(cost=WORST / 2))

        def base(index: int) -> None:
            if naive.reserve(WORST, Decimal(10**9)):
                naive.settle(WORST, WORST / 2)

        latency, base_latency = summary(_latency(ours)), summary(_latency(base))

        def own_connection() -> Any:
            return admission(SqliteAdmissionLedger(root / "threads.db"), LIMIT)

        threads(own_connection, CALLERS, ATTEMPTS, settle=False)
        ours_threads = SqliteAdmissionLedger(root / "threads.db").committed(LEDGER_KEY)
        processes(root / "processes.db", LIMIT, 8, CALLERS // 8, ATTEMPTS, settle=False)
        ours_processes = SqliteAdmissionLedger(root / "processes.db").committed(LEDGER_KEY)
        _naive_callers(str(root / "naive-threads.db"), None, CALLERS)
        naive_threads = NaiveBudget(root / "naive-threads.db").spent()
        _naive_processes(str(root / "naive-processes.db"), 8, CALLERS // 8)
        naive_processes = NaiveBudget(root / "naive-processes.db").spent()
    baseline = "check-then-reserve (LiteLLM's race)"
    figures = [
        Figure("reserve + settle p50", latency["p50"], base_latency["p50"], "ms", "-", baseline),
        Figure("reserve + settle p99", latency["p99"], base_latency["p99"], "ms", "-", baseline),
        Figure(
            "overshoot, 64 threads",
            _overshoot(ours_threads),
            _overshoot(naive_threads),
            "requests",
            "≤ 1 request",
            baseline,
        ),
        Figure(
            "overshoot, 8 processes x 8 threads",
            _overshoot(ours_processes),
            _overshoot(naive_processes),
            "requests",
            "≤ 1 request",
            baseline,
        ),
    ]
    show(
        f"AI admission on SQLite: latency over {ROUNDS} warm rounds; one budget of {FITS} "
        f"requests' worst case, {CALLERS} callers x {ATTEMPTS} requests",
        figures,
    )
    return figures
