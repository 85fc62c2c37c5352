"""No overspend at 64 concurrent callers on SQLite: in one process's threads, and in processes
of threads sharing the file. Every reservation is one `BEGIN IMMEDIATE` transaction, so the
budget admits exactly as many worst cases as fit, and never more (zero overshoot)."""

from __future__ import annotations

from pathlib import Path

from costplane.adapters.local.admission_ledger import SqliteAdmissionLedger
from costplane.ai.admission import AdmissionService
from tests.support.admission_race import WORST, admission, processes, threads

LIMIT = WORST * 100
LEDGER = "ai-race#2026-11"


def test_64_threads_reserve_exactly_what_fits(tmp_path: Path) -> None:
    ledger = SqliteAdmissionLedger(tmp_path / "state.db")

    def make() -> AdmissionService:
        return admission(ledger, LIMIT)

    raced = threads(make, callers=64, attempts=4, settle=False)
    assert raced.admitted == 100
    assert ledger.committed(LEDGER) == LIMIT


def test_64_threads_with_their_own_connections_never_pass_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "state.db"

    def make() -> AdmissionService:
        return admission(SqliteAdmissionLedger(path), LIMIT)

    raced = threads(make, callers=64, attempts=6, settle=True)
    committed = SqliteAdmissionLedger(path).committed(LEDGER)
    assert committed == raced.settled
    assert committed <= LIMIT
    assert raced.admitted > 100  # settled costs below the worst case gave room back


def test_8_processes_of_8_threads_reserve_exactly_what_fits(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    raced = processes(path, LIMIT, processes=8, callers=8, attempts=4, settle=False)
    assert raced.admitted == 100
    assert SqliteAdmissionLedger(path).committed(LEDGER) == LIMIT


def test_8_processes_settling_as_they_go_never_pass_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    raced = processes(path, LIMIT, processes=8, callers=8, attempts=6, settle=True)
    committed = SqliteAdmissionLedger(path).committed(LEDGER)
    assert committed == raced.settled
    assert committed <= LIMIT
