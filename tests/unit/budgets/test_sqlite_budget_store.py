"""The SQLite reservation ledger and signal figures, one behaviour at a time."""

from __future__ import annotations

from decimal import Decimal

import pytest

from costplane.adapters.budget_records import RecordBudgetState
from costplane.budgets.ports import (
    ReservationLedger,
    ReservationNotFound,
    RunRateStore,
    SignalFigures,
    SignalStore,
)
from tests.support.stores import sqlite_budgets

LIMIT = Decimal("10.00")


@pytest.fixture
def store() -> RecordBudgetState:
    return sqlite_budgets(":memory:")


def test_it_is_every_budget_store_protocol(store: RecordBudgetState) -> None:
    assert isinstance(store, ReservationLedger)
    assert isinstance(store, RunRateStore)
    assert isinstance(store, SignalStore)


def test_a_reservation_within_the_limit_is_granted_and_committed(store: RecordBudgetState) -> None:
    assert store.reserve("ml#2026-11", "r1", Decimal("3.33"), LIMIT)
    assert store.committed("ml#2026-11") == Decimal("3.33")


def test_a_reservation_up_to_the_limit_exactly_is_granted(store: RecordBudgetState) -> None:
    assert store.reserve("ml#2026-11", "r1", Decimal("6.67"), LIMIT)
    assert store.reserve("ml#2026-11", "r2", Decimal("3.33"), LIMIT)
    assert store.committed("ml#2026-11") == LIMIT


def test_a_reservation_past_the_limit_is_refused_and_commits_nothing(
    store: RecordBudgetState,
) -> None:
    store.reserve("ml#2026-11", "r1", Decimal("6.67"), LIMIT)
    assert not store.reserve("ml#2026-11", "r2", Decimal("3.34"), LIMIT)
    assert store.committed("ml#2026-11") == Decimal("6.67")


def test_a_retried_reservation_is_granted_once(store: RecordBudgetState) -> None:
    assert store.reserve("ml#2026-11", "r1", Decimal("6"), LIMIT)
    assert store.reserve("ml#2026-11", "r1", Decimal("6"), LIMIT)
    assert store.committed("ml#2026-11") == Decimal(6)


def test_a_refusal_is_not_remembered(store: RecordBudgetState) -> None:
    store.reserve("ml#2026-11", "big", Decimal("8"), LIMIT)
    assert not store.reserve("ml#2026-11", "r2", Decimal("5"), LIMIT)
    store.release("big")
    assert store.reserve("ml#2026-11", "r2", Decimal("5"), LIMIT)


def test_settling_replaces_the_reserved_amount_by_the_real_cost(store: RecordBudgetState) -> None:
    store.reserve("ml#2026-11", "r1", Decimal("5"), LIMIT)
    assert store.settle("r1", Decimal("4.25"))
    assert store.committed("ml#2026-11") == Decimal("4.25")
    assert not store.settle("r1", Decimal("1"))


def test_releasing_gives_the_amount_back(store: RecordBudgetState) -> None:
    store.reserve("ml#2026-11", "r1", Decimal("5"), LIMIT)
    assert store.release("r1")
    assert store.committed("ml#2026-11") == 0
    assert not store.release("r1")


def test_a_released_reservation_replayed_is_not_granted_again(store: RecordBudgetState) -> None:
    store.reserve("ml#2026-11", "r1", Decimal("5"), LIMIT)
    store.release("r1")
    assert not store.reserve("ml#2026-11", "r1", Decimal("5"), LIMIT)


def test_settling_an_unknown_reservation_is_an_error(store: RecordBudgetState) -> None:
    with pytest.raises(ReservationNotFound):
        store.settle("never", Decimal(1))


def test_a_reservation_must_be_positive(store: RecordBudgetState) -> None:
    with pytest.raises(ValueError, match="positive"):
        store.reserve("ml#2026-11", "r1", Decimal(0), LIMIT)


def test_ledgers_are_independent(store: RecordBudgetState) -> None:
    store.reserve("ml#2026-11", "r1", Decimal("10"), LIMIT)
    assert store.reserve("ml#2026-12", "r2", Decimal("10"), LIMIT)


def test_signal_figures_keep_the_highest_of_each(store: RecordBudgetState) -> None:
    store.record_signal("ml", "2026-11", SignalFigures(actual=Decimal("5"), forecast=Decimal(9)))
    store.record_signal("ml", "2026-11", SignalFigures(actual=Decimal("4")))
    store.record_signal("ml", "2026-11", SignalFigures(forecast=Decimal("12.5")))
    assert store.signal_figures("ml", "2026-11") == SignalFigures(Decimal(5), Decimal("12.5"))
    assert store.signal_figures("ml", "2026-12") == SignalFigures()
