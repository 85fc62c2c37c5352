"""Period-end and next-month projections with statsforecast, on generated and simple series."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pandas as pd
import pytest

from costplane.billing.forecast.errors import ForecastError
from costplane.billing.forecast.projection import forecast_scopes, prepare, project_period_end
from costplane.billing.forecast.synthetic import Shape, generate_history

CALM = Shape(max_steps=0, monthly_fee_max=0.0, noise_low=0.02, noise_high=0.03)


def daily(rows: list[tuple[str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "scope": "s",
            "currency": "USD",
            "ds": pd.to_datetime([d for d, _, _ in rows]),
            "y": [y for _, _, y in rows],
        }
    ).assign(scope=[s for _, s, _ in rows])


def test_prepare_fills_missing_days_with_zero_up_to_the_last_day() -> None:
    rows = [("2024-09-01", "a", 1), ("2024-09-03", "a", 2), ("2024-09-02", "b", 4)]
    prepared = prepare(daily([*rows, ("2024-09-04", "b", 5)]))
    a = prepared.frame[prepared.frame["unique_id"] == "s0"]
    assert a["y"].tolist() == [1.0, 0.0, 2.0, 0.0]
    assert prepared.as_of == date(2024, 9, 4)


def test_prepare_starts_history_after_a_day_without_any_bill() -> None:
    rows = [("2023-11-01", "a", 9), ("2024-09-01", "a", 1), ("2024-09-02", "a", 2)]
    assert prepare(daily(rows)).frame["y"].tolist() == [1.0, 2.0]


def test_prepare_refuses_an_empty_frame() -> None:
    with pytest.raises(ForecastError) as caught:
        prepare(daily([]))
    assert caught.value.code == "no_data"


def test_forecast_gives_the_current_month_then_each_following_month() -> None:
    history = generate_history(2, months=6, seed=3, shape=CALM)
    history = history[history["ds"] <= "2024-06-14"]
    forecasts = forecast_scopes(history, months=2)
    assert [f.scope for f in forecasts] == ["scope-0000", "scope-0001"]
    first = forecasts[0]
    assert first.as_of == date(2024, 6, 14)
    assert first.model == "MSTL"
    assert [m.month for m in first.months] == [date(2024, 6, 1), date(2024, 7, 1), date(2024, 8, 1)]
    june = first.months[0]
    assert june.actual > 0
    assert june.projection.lo <= june.projection.point <= june.projection.hi
    assert june.projection.lo >= june.actual
    assert all(m.actual == 0 for m in first.months[1:])


def test_the_period_end_projection_brackets_what_the_month_really_cost() -> None:
    history = generate_history(1, months=7, seed=11, shape=CALM)
    days = zip(history["ds"], history["y"], strict=True)
    series = {d.date(): Decimal(str(round(y, 4))) for d, y in days}
    so_far = {d: v for d, v in series.items() if d <= date(2024, 7, 15)}
    point, lo, hi = project_period_end(so_far, date(2024, 8, 1), level=95)
    actual = sum(v for d, v in series.items() if d >= date(2024, 7, 1))
    assert lo <= actual <= hi
    assert abs(point - actual) / actual < Decimal("0.02")


def test_a_period_already_over_is_exactly_its_actual() -> None:
    series = {date(2024, 9, 1) + timedelta(days=i): Decimal("1.10") for i in range(30)}
    assert project_period_end(series, date(2024, 10, 1)) == (Decimal("33.00"),) * 3


def test_a_series_of_a_few_days_is_projected_at_its_run_rate() -> None:
    series = {date(2024, 9, 1) + timedelta(days=i): Decimal(10) for i in range(5)}
    point, lo, hi = project_period_end(series, date(2024, 10, 1))
    assert point == Decimal("300.00")
    assert lo <= point <= hi
