"""Forecasts feed budget status: the projection is the higher of the run-rate projection and
the forecast period end, and the forecast's interval is kept beside it."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal

from costplane.adapters.budget_records import RecordBudgetState
from costplane.adapters.lake.budget_forecasts import period_forecasts
from costplane.billing.forecast.synthetic import Shape, generate_history
from costplane.budgets.ports import LakeSpend, RateEntry
from costplane.domain.budgets import Projection
from tests.support.stores import sqlite_budgets
from tests.unit.budgets.budget_support import NOW, budgets, make_service

ML = {"name": "ml", "amount": 1000}
LAKE_END = datetime(2026, 11, 20, tzinfo=UTC)


def _running(rate: str) -> RecordBudgetState:
    store = sqlite_budgets(":memory:")
    store.put_rate("aws:1:i-0", RateEntry(Decimal(rate), "USD", ("ml",), True, LAKE_END))
    return store


def _lake(actual: str) -> LakeSpend:
    return LakeSpend({"ml": Decimal(actual)}, {"ml": LAKE_END})


def _growing_history() -> dict[date, Decimal]:
    """90 days of steadily growing daily spend up to the day before the lake ends."""
    frame = generate_history(
        1,
        months=3,
        start=date(2026, 8, 20),
        shape=Shape(monthly_growth_mean=0.15, monthly_growth_sd=0, max_steps=0),
    )
    frame = frame[frame["ds"] < "2026-11-20"]
    return {
        ds.date(): Decimal(repr(y)).quantize(Decimal("0.01"))
        for ds, y in zip(frame["ds"], frame["y"], strict=True)
    }


def test_a_forecast_above_the_run_rate_projection_becomes_the_projection() -> None:
    forecast = Projection(Decimal(900), Decimal(850), Decimal(950))
    service = make_service(budgets(ML), lake=_lake("400"), store=_running("1"))
    [status] = service.status(NOW, {"ml": forecast})
    assert (status.projected, status.forecast) == (Decimal(900), forecast)


def test_a_forecast_below_the_run_rate_projection_leaves_the_run_rate_projection() -> None:
    forecast = Projection(Decimal(500), Decimal(450), Decimal(550))
    service = make_service(budgets(ML), lake=_lake("400"), store=_running("1"))
    [status] = service.status(NOW, {"ml": forecast})
    assert (status.projected, status.forecast) == (Decimal(664), forecast)  # 400 + 1 x 264 h


def test_a_forecast_can_reach_a_projected_threshold_the_run_rate_does_not() -> None:
    found = budgets(ML | {"thresholds": [{"percent": 80, "action": "notify"}]})
    service = make_service(found, lake=_lake("400"))
    assert service.status(NOW)[0].state == "ok"
    forecast = Projection(Decimal(820), Decimal(700), Decimal(940))
    assert service.status(NOW, {"ml": forecast})[0].state == "notify"


def test_budgets_without_a_forecast_have_none_and_keep_the_run_rate_projection() -> None:
    service = make_service(budgets(ML), lake=_lake("400"), store=_running("1"))
    [status] = service.status(NOW, {"other": Projection(Decimal(9999), Decimal(0), Decimal(1))})
    assert (status.projected, status.forecast) == (Decimal(664), None)


def test_a_growing_history_forecasts_above_the_actual_and_raises_the_projection() -> None:
    history = _growing_history()
    november = sum((v for d, v in history.items() if d >= date(2026, 11, 1)), Decimal(0))
    forecasts = period_forecasts(budgets(ML, {"name": "idle", "amount": 1}), {"ml": history}, NOW)
    assert set(forecasts) == {"ml"}
    forecast = forecasts["ml"]
    assert forecast.lo <= forecast.point <= forecast.hi
    assert forecast.lo > november  # ten more days of spend, however uncertain
    service = make_service(budgets(ML), lake=_lake(str(november)))
    [status] = service.status(NOW, forecasts)
    assert (status.projected, status.forecast) == (forecast.point, forecast)


def test_a_quarterly_budget_forecasts_to_its_quarter_end() -> None:
    history = _growing_history()
    quarter = budgets(ML | {"period": "quarterly"})
    month, whole = (
        period_forecasts(found, {"ml": history}, NOW)["ml"] for found in (budgets(ML), quarter)
    )
    october_on = sum((v for d, v in history.items() if d >= date(2026, 10, 1)), Decimal(0))
    assert whole.point > month.point
    assert whole.lo > october_on


def test_budget_status_without_forecasts_never_imports_statsforecast() -> None:
    code = (
        "import sys, costplane.adapters.lake.budget_forecasts, costplane.cli.budgets; "
        "print('statsforecast' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False"]
