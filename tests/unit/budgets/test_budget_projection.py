"""Budget math, exact in Decimal, with a clock that stands still.

actual    = max(lake EffectiveCost, cloud-reported actual)
projected = actual + reserved + sum(rate x hours from max(since, lake end) to period end)
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from costplane.adapters.budget_records import RecordBudgetState
from costplane.budgets.periods import hours, window
from costplane.budgets.ports import LakeSpend, RateEntry, SignalFigures
from costplane.domain.budgets import BudgetView, Period
from tests.support.stores import sqlite_budgets
from tests.unit.budgets.budget_support import NOW, budgets, make_service

LAKE_END = datetime(2026, 11, 20, tzinfo=UTC)
ML = {
    "name": "ml",
    "amount": 1000,
    "thresholds": [
        {"percent": 80, "action": "notify"},
        {"percent": 100, "action": "throttle"},
        {"percent": 120, "action": "suspend", "basis": "actual"},
    ],
}


def _store(*entries: RateEntry) -> RecordBudgetState:
    store = sqlite_budgets(":memory:")
    for index, entry in enumerate(entries):
        store.put_rate(f"aws:1:i-{index}", entry)
    return store


def _running(rate: str, since: datetime) -> RateEntry:
    return RateEntry(Decimal(rate), "USD", ("ml",), True, since)


def _lake(actual: str) -> LakeSpend:
    return LakeSpend({"ml": Decimal(actual)}, {"ml": LAKE_END})


def test_a_month_runs_from_its_first_instant_to_the_next_month() -> None:
    period = window(Period.MONTHLY, datetime(2026, 12, 31, 23, 59, tzinfo=UTC))
    assert period.start == datetime(2026, 12, 1, tzinfo=UTC)
    assert period.end == datetime(2027, 1, 1, tzinfo=UTC)
    assert period.key == "2026-12"


def test_a_quarter_is_named_after_its_calendar_quarter() -> None:
    period = window(Period.QUARTERLY, NOW)
    assert (period.start, period.end) == (
        datetime(2026, 10, 1, tzinfo=UTC),
        datetime(2027, 1, 1, tzinfo=UTC),
    )
    assert period.key == "2026-Q4"


def test_hours_are_exact() -> None:
    assert hours(LAKE_END, datetime(2026, 12, 1, tzinfo=UTC)) == Decimal(264)
    assert hours(NOW, NOW + timedelta(minutes=90, microseconds=1)) == Decimal(
        "1.500000000277777777777777778"
    )
    assert hours(NOW, NOW - timedelta(hours=1)) == 0


def test_without_running_resources_projection_is_the_actual() -> None:
    [status] = make_service(budgets(ML), lake=_lake("400.10")).status(NOW)
    assert (status.actual, status.run_rate, status.projected) == (
        Decimal("400.10"),
        Decimal(0),
        Decimal("400.10"),
    )


def test_resources_running_before_the_lake_ends_accrue_from_where_it_ends() -> None:
    store = _store(_running("0.50", datetime(2026, 11, 10, tzinfo=UTC)))
    [status] = make_service(budgets(ML), lake=_lake("400"), store=store).status(NOW)
    assert status.run_rate == Decimal("0.50")
    assert status.projected == Decimal("400") + Decimal("0.50") * 264  # Nov 20 -> Dec 1


def test_a_resource_created_after_the_lake_ends_accrues_from_its_creation() -> None:
    store = _store(
        _running("0.50", datetime(2026, 11, 10, tzinfo=UTC)),
        _running("1.25", datetime(2026, 11, 21, 6, tzinfo=UTC)),
    )
    [status] = make_service(budgets(ML), lake=_lake("400"), store=store).status(NOW)
    assert status.run_rate == Decimal("1.75")
    assert status.projected == Decimal("824.50")  # 400 + 0.50 x 264 h + 1.25 x 234 h
    assert status.projected_percent == Decimal("82.45")


def test_stopped_resources_add_nothing() -> None:
    store = _store(RateEntry(Decimal(9), "USD", ("ml",), False, LAKE_END))
    [status] = make_service(budgets(ML), lake=_lake("400"), store=store).status(NOW)
    assert (status.run_rate, status.projected) == (Decimal(0), Decimal(400))


def test_the_state_is_the_action_of_the_highest_threshold_reached() -> None:
    store = _store(_running("1.25", datetime(2026, 11, 21, 6, tzinfo=UTC)))
    [status] = make_service(budgets(ML), lake=_lake("800"), store=store).status(NOW)
    assert status.projected == Decimal("1092.50")
    assert status.state == "throttle"
    assert status.next_threshold is not None
    assert (status.next_threshold.percent, status.next_threshold.basis) == (120, "actual")


def test_actual_thresholds_look_at_actual_spend_only() -> None:
    [status] = make_service(budgets(ML), lake=_lake("1200")).status(NOW)
    assert status.state == "suspend"
    assert status.next_threshold is None


def test_below_every_threshold_the_state_is_ok() -> None:
    [status] = make_service(budgets(ML), lake=_lake("10")).status(NOW)
    assert status.state == "ok"
    assert status.next_threshold is not None
    assert status.next_threshold.percent == 80


def test_a_higher_cloud_reported_actual_wins_over_the_lake() -> None:
    store = sqlite_budgets(":memory:")
    store.record_signal("ml", "2026-11", SignalFigures(actual=Decimal("450")))
    [status] = make_service(budgets(ML), lake=_lake("400"), store=store).status(NOW)
    assert (status.lake_actual, status.actual) == (Decimal(400), Decimal(450))


def test_a_lower_cloud_reported_actual_changes_nothing() -> None:
    store = sqlite_budgets(":memory:")
    store.record_signal("ml", "2026-11", SignalFigures(actual=Decimal("399.99")))
    [status] = make_service(budgets(ML), lake=_lake("400"), store=store).status(NOW)
    assert status.actual == Decimal(400)


def test_a_cloud_forecast_above_our_projection_becomes_the_projection() -> None:
    store = sqlite_budgets(":memory:")
    store.record_signal("ml", "2026-11", SignalFigures(forecast=Decimal("1500")))
    [status] = make_service(budgets(ML), lake=_lake("400"), store=store).status(NOW)
    assert status.projected == Decimal(1500)


def test_figures_of_another_period_are_ignored() -> None:
    store = sqlite_budgets(":memory:")
    store.record_signal("ml", "2026-10", SignalFigures(actual=Decimal("999")))
    [status] = make_service(budgets(ML), lake=_lake("400"), store=store).status(NOW)
    assert status.actual == Decimal(400)


def test_reserved_spend_counts_in_the_projection() -> None:
    service = make_service(budgets(ML), lake=_lake("400"))
    assert service.reserve("ml", "approval-1", Decimal("100"), NOW)
    [status] = service.status(NOW)
    assert (status.reserved, status.projected) == (Decimal(100), Decimal(500))


def test_a_reservation_is_refused_beyond_what_the_budget_has_left() -> None:
    service = make_service(budgets(ML), lake=_lake("400"))
    assert service.reserve("ml", "a", Decimal("600"), NOW)
    assert not service.reserve("ml", "b", Decimal("0.01"), NOW)


def test_views_are_what_budget_conditions_read() -> None:
    views = make_service(budgets(ML), lake=_lake("400")).budget_views(NOW)
    assert views == {"ml": BudgetView("ml", Decimal(1000), Decimal(400), Decimal(400), "USD")}


def test_settling_keeps_the_real_cost_and_releasing_gives_it_back() -> None:
    service = make_service(budgets(ML), lake=_lake("400"))
    service.reserve("ml", "a", Decimal("100"), NOW)
    service.reserve("ml", "b", Decimal("50"), NOW)
    assert service.settle("a", Decimal("80.25"))
    assert service.release("b")
    [status] = service.status(NOW)
    assert (status.reserved, status.projected) == (Decimal("80.25"), Decimal("480.25"))
