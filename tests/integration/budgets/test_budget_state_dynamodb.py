"""Run-rates and budget signals on DynamoDB (a moto server), in the reservation ledger's table."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from decimal import Decimal

import pytest

from costplane.adapters.aws.dynamodb import DynamoDbRecords
from costplane.adapters.budget_records import RATE, RecordBudgetState
from costplane.budgets.ports import RateEntry, RunRateStore, SignalFigures, SignalStore

T0 = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
T1 = datetime(2026, 11, 21, 15, 30, tzinfo=UTC)


@pytest.fixture
def state(budgets_table: str) -> RecordBudgetState:
    return RecordBudgetState(DynamoDbRecords(budgets_table, kinds=True))


def _entry(rate: str, *budgets: str, running: bool = True) -> RateEntry:
    return RateEntry(Decimal(rate), "USD", budgets, running, T0)


def test_it_is_a_run_rate_store_and_a_signal_store(state: RecordBudgetState) -> None:
    assert isinstance(state, RunRateStore)
    assert isinstance(state, SignalStore)


def test_a_put_rate_counts_in_each_of_its_budgets(state: RecordBudgetState) -> None:
    state.put_rate("aws:1:i-1", _entry("0.0416", "ml-prod", "team-a"))
    found = state.running_rates(["ml-prod", "team-a", "other"])
    assert found["ml-prod"] == [RateEntry(Decimal("0.0416"), "USD", ("ml-prod",), True, T0)]
    assert found["team-a"] == [RateEntry(Decimal("0.0416"), "USD", ("team-a",), True, T0)]
    assert found["other"] == []


def test_a_replaced_rate_leaves_the_budgets_it_no_longer_counts_in(
    state: RecordBudgetState,
) -> None:
    state.put_rate("aws:1:i-1", _entry("1", "ml-prod", "team-a"))
    state.put_rate("aws:1:i-1", _entry("2", "team-a"))
    found = state.running_rates(["ml-prod", "team-a"])
    assert found["ml-prod"] == []
    assert [e.rate for e in found["team-a"]] == [Decimal(2)]


def test_a_stopped_resource_stops_counting_and_a_started_one_counts_from_its_start(
    state: RecordBudgetState,
) -> None:
    state.put_rate("aws:1:i-1", _entry("0.5", "ml-prod"))
    assert state.set_running("aws:1:i-1", False, T1)
    assert state.running_rates(["ml-prod"])["ml-prod"] == []
    assert state.set_running("aws:1:i-1", True, T1)
    assert [e.since for e in state.running_rates(["ml-prod"])["ml-prod"]] == [T1]


def test_a_repeated_state_change_is_known_and_changes_nothing(
    state: RecordBudgetState,
) -> None:
    state.put_rate("aws:1:i-1", _entry("0.5", "ml-prod"))
    assert state.set_running("aws:1:i-1", True, T1)
    assert [e.since for e in state.running_rates(["ml-prod"])["ml-prod"]] == [T0]


def test_unknown_resources_are_reported_as_such(state: RecordBudgetState) -> None:
    assert not state.set_running("aws:1:nope", False, T1)
    assert not state.remove_rate("aws:1:nope")


def test_a_removed_resource_leaves_every_budget(state: RecordBudgetState) -> None:
    state.put_rate("aws:1:i-1", _entry("0.5", "ml-prod", "team-a"))
    assert state.remove_rate("aws:1:i-1")
    assert state.running_rates(["ml-prod", "team-a"]) == {"ml-prod": [], "team-a": []}
    assert not state.remove_rate("aws:1:i-1")


def test_racing_stops_and_starts_leave_the_budget_as_the_resource_says(
    state: RecordBudgetState,
) -> None:
    state.put_rate("aws:1:i-1", _entry("0.5", "ml-prod"))
    start = threading.Barrier(8)

    def toggle(worker: int) -> None:
        start.wait()
        for _ in range(5):
            state.set_running("aws:1:i-1", worker % 2 == 0, T1)

    threads = [threading.Thread(target=toggle, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    item = state.records.read(RATE, "aws:1:i-1")
    assert item is not None
    counted = bool(state.running_rates(["ml-prod"])["ml-prod"])
    assert counted is item.fields["running"]


def test_signal_figures_keep_the_highest_of_each_field(state: RecordBudgetState) -> None:
    state.record_signal("ml-prod", "2026-11", SignalFigures(actual=Decimal("120.50")))
    state.record_signal("ml-prod", "2026-11", SignalFigures(Decimal("80"), Decimal("300.25")))
    state.record_signal("ml-prod", "2026-11", SignalFigures(forecast=Decimal("250")))
    assert state.signal_figures("ml-prod", "2026-11") == SignalFigures(
        Decimal("120.50"), Decimal("300.25")
    )


def test_concurrent_signals_keep_the_highest(state: RecordBudgetState) -> None:
    start = threading.Barrier(10)

    def report(value: int) -> None:
        start.wait()
        state.record_signal("ml-prod", "2026-11", SignalFigures(actual=Decimal(value)))

    threads = [threading.Thread(target=report, args=(v,)) for v in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert state.signal_figures("ml-prod", "2026-11").actual == Decimal(9)


def test_no_signal_reads_as_empty_figures(state: RecordBudgetState) -> None:
    assert state.signal_figures("ml-prod", "2026-10") == SignalFigures()


def test_a_reservation_mark_holds_until_the_resource_starts_or_stops(
    state: RecordBudgetState,
) -> None:
    entry = RateEntry(Decimal("0.5"), "USD", ("ml-prod", "team-a"), True, T0, ("ml-prod",))
    state.put_rate("aws:1:i-1", entry)
    found = state.running_rates(["ml-prod", "team-a"])
    assert [e.reserved for e in found["ml-prod"] + found["team-a"]] == [("ml-prod",), ()]
    state.set_running("aws:1:i-1", False, T1)
    state.set_running("aws:1:i-1", True, T1)
    assert [e.reserved for e in state.running_rates(["ml-prod"])["ml-prod"]] == [()]
