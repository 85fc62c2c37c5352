"""The SQLite state store: a claim is won once, across threads and processes."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

from costplane.adapters.local.sqlite import SqliteRecords
from costplane.domain.decisions import Decision, Outcome
from tests.support.stores import sqlite_state


def test_second_claim_of_a_key_is_refused() -> None:
    state = sqlite_state(":memory:")
    assert state.claim("aws:e1:i-1", 60)
    assert not state.claim("aws:e1:i-1", 60)


def test_released_claim_can_be_claimed_again() -> None:
    state = sqlite_state(":memory:")
    state.claim("k", 60)
    state.release("k")
    assert state.claim("k", 60)


def test_expired_claim_can_be_claimed_again() -> None:
    state = sqlite_state(":memory:")
    state.claim("k", -1)
    assert state.claim("k", 60)


def test_concurrent_threads_win_a_claim_exactly_once(tmp_path: Path) -> None:
    state = sqlite_state(tmp_path / "state.db")
    with ThreadPoolExecutor(8) as pool:
        wins = list(pool.map(lambda _: state.claim("k", 60), range(64)))
    assert wins.count(True) == 1


def _claim_in_process(path: str) -> bool:
    return sqlite_state(path).claim("shared-key", 60)


def test_concurrent_processes_win_a_claim_exactly_once(tmp_path: Path) -> None:
    path = str(tmp_path / "state.db")
    SqliteRecords(path).close()
    with multiprocessing.get_context("spawn").Pool(4) as pool:
        wins = pool.map(_claim_in_process, [path] * 16)
    assert wins.count(True) == 1


def test_decisions_read_back_in_the_order_they_were_appended() -> None:
    state = sqlite_state(":memory:")
    for n in range(3):
        state.append_decision(
            Decision(
                decision_id=f"d{n}",
                policy="tagging",
                outcome=Outcome.COMPLIANT,
                decided_at=datetime(2026, 11, 27, tzinfo=UTC),
            )
        )
    assert [d.decision_id for d in state.recent_decisions(2)] == ["d1", "d2"]
