"""Many callers racing for one AI budget through the admission check, in threads or in
processes (each with its own connection to the same SQLite file), started together behind a
barrier. Each caller reserves a request's worst case and, if admitted, settles it at a random
share of it; the race reports what was admitted and what the budget's counter holds."""

from __future__ import annotations

import multiprocessing
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from costplane.adapters.admission_scopes import ScopedBudgets
from costplane.adapters.local.admission_ledger import SqliteAdmissionLedger
from costplane.ai.admission import AdmissionRequest, AdmissionService, Usage
from costplane.ai.ports import AdmissionLedger
from costplane.domain.ai import bundled_price_book
from costplane.domain.budgets import Budget

WORST = Decimal("0.00075")
"""The worst case of every racing request: gpt-4o-mini, 1,000 tokens in and 1,000 out at most."""
BUDGET = "ai-race"
LEDGER_KEY = "ai-race#2026-11"
"""The race budget's counter in the period of NOW."""
NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Race:
    admitted: int
    settled: Decimal


def race_budget(limit: Decimal) -> Budget:
    return Budget(name=BUDGET, amount=limit)


def admission(ledger: AdmissionLedger, limit: Decimal) -> AdmissionService:
    scoped = ScopedBudgets([race_budget(limit)])
    return AdmissionService(ledger, scoped, bundled_price_book(), lambda: NOW)


def racing_request(caller: str, attempt: int) -> AdmissionRequest:
    return AdmissionRequest(
        request_id=f"{caller}-{attempt}",
        vendor="openai",  # type: ignore[arg-type]
        model="gpt-4o-mini",
        input_tokens=1000,
        max_output_tokens=1000,
    )


def call(service: AdmissionService, caller: str, attempts: int, settle: bool) -> Race:
    """One caller's requests: reserve, then settle an admitted one at a random share of it."""
    shares = random.Random(caller)
    admitted, settled = 0, Decimal(0)
    for attempt in range(attempts):
        answer = service.reserve(racing_request(caller, attempt))
        if answer.admitted:
            admitted += 1
            if settle:
                cost = WORST * Decimal(shares.randint(1, 100)) / 100
                settled += service.settle(answer.request_id, Usage(cost=cost)).cost
    return Race(admitted, settled)


def threads(
    make: Callable[[], AdmissionService], callers: int, attempts: int, settle: bool, name: str = "t"
) -> Race:
    """`callers` threads, each with its own service over its own store client."""
    start = threading.Barrier(callers)
    results: list[Race] = []
    lock = threading.Lock()

    def run(caller: int) -> None:
        service = make()
        start.wait()
        result = call(service, f"{name}{caller}", attempts, settle)
        with lock:
            results.append(result)

    workers = [threading.Thread(target=run, args=(c,)) for c in range(callers)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return Race(sum(r.admitted for r in results), sum((r.settled for r in results), Decimal(0)))


def _process(
    path: str,
    limit: Decimal,
    go: Any,
    results: Any,
    callers: int,
    attempts: int,
    settle: bool,
    name: str,
) -> None:
    def make() -> AdmissionService:
        return admission(SqliteAdmissionLedger(path), limit)

    go.wait()
    results.put(threads(make, callers, attempts, settle, name))


def processes(
    path: Path, limit: Decimal, processes: int, callers: int, attempts: int, settle: bool
) -> Race:
    """`processes` processes of `callers` threads each, on the SQLite file at `path`; the
    processes start racing together, once every one of them is up."""
    SqliteAdmissionLedger(path).close()  # the tables exist before the processes race
    context = multiprocessing.get_context("spawn")
    go, results = context.Barrier(processes), context.Queue()
    workers = [
        context.Process(
            target=_process,
            args=(str(path), limit, go, results, callers, attempts, settle, f"p{p}t"),
        )
        for p in range(processes)
    ]
    for worker in workers:
        worker.start()
    done = [results.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join()
    return Race(sum(r.admitted for r in done), sum((r.settled for r in done), Decimal(0)))
