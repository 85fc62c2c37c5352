"""Where each scope's spend will land: this period's end and the next months, with intervals.

A month's projection is what has been spent in it so far (actual) plus the forecast of its
remaining days; the interval comes from the forecast part only, since the actual is known.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd

from costplane.billing.forecast.errors import ForecastError
from costplane.billing.forecast.model import LEVEL, MODEL, DailyForecast, fit_predict, z_score
from costplane.domain.budgets import Projection
from costplane.domain.money import quantize


@dataclass(frozen=True, slots=True)
class MonthForecast:
    month: date
    actual: Decimal
    """Spent in this month up to the as-of day."""
    projection: Projection


@dataclass(frozen=True, slots=True)
class ScopeForecast:
    scope: str
    currency: str
    as_of: date
    model: str
    months: tuple[MonthForecast, ...]
    """The as-of day's month (its period-end projection), then each following month."""


@dataclass(frozen=True, slots=True)
class Prepared:
    """Daily series ready for statsforecast: one unique_id per (scope, currency)."""

    frame: pd.DataFrame
    keys: dict[str, tuple[str, str]]
    as_of: date


def prepare(daily: pd.DataFrame) -> Prepared:
    """Sum `daily` (scope, currency, ds, y) per day, ready for statsforecast.

    History starts after the last day on which no scope has any cost at all: such a day
    means no bill was loaded for it (a real estate always costs something), so what came
    before is a separate, partial import, not a run of zeros. Within that history a scope's
    missing days are zero, up to the last day any scope has, so every series ends together.
    """
    if daily.empty:
        raise ForecastError("no_data", "there is no cost to forecast")
    summed = daily.groupby(["scope", "currency", "ds"], as_index=False)["y"].sum()
    days = np.sort(summed["ds"].unique())
    if breaks := np.flatnonzero(np.diff(days) > np.timedelta64(1, "D")).tolist():
        summed = summed[summed["ds"] >= days[breaks[-1] + 1]]
    end = summed["ds"].max()
    frames, keys = [], {}
    for number, ((scope, currency), rows) in enumerate(summed.groupby(["scope", "currency"])):
        index = pd.date_range(rows["ds"].min(), end, freq="D")
        series = rows.set_index("ds")["y"].reindex(index, fill_value=0.0)
        uid = f"s{number}"
        keys[uid] = (str(scope), str(currency))
        frames.append(pd.DataFrame({"unique_id": uid, "ds": index, "y": series.to_numpy()}))
    return Prepared(pd.concat(frames, ignore_index=True), keys, end.date())


def month_start(day: date, months_later: int = 0) -> date:
    index = day.year * 12 + day.month - 1 + months_later
    return date(index // 12, index % 12 + 1, 1)


def period_projection(
    history: pd.DataFrame,
    forecast: DailyForecast,
    first: date,
    end: date,
    currency: str,
    level: int,
) -> tuple[Decimal, Projection]:
    """Actual spend in [first, end) from `history` (ds, y) plus the forecast of the rest."""
    in_period = history[
        (history["ds"] >= pd.Timestamp(first)) & (history["ds"] < pd.Timestamp(end))
    ]
    actual = float(in_period["y"].sum())
    point, sd = forecast.window(max(first, forecast.start), end - timedelta(days=1))
    half = z_score(level) * sd
    low = point - half
    if (history["y"] >= 0).all():
        low = max(low, 0.0)
    return _money(actual, currency), Projection(
        _money(actual + point, currency),
        _money(actual + low, currency),
        _money(actual + point + half, currency),
    )


def _money(amount: float, currency: str) -> Decimal:
    return quantize(Decimal(repr(amount)), currency)


def forecast_scopes(
    daily: pd.DataFrame, *, months: int = 3, level: int = LEVEL, n_jobs: int = 1
) -> list[ScopeForecast]:
    """This period's end and the next `months` month totals of every (scope, currency)."""
    if months < 0:
        raise ForecastError("bad_horizon", f"cannot forecast {months} months ahead")
    prepared = prepare(daily)
    as_of = prepared.as_of
    horizon_end = month_start(as_of, months + 1)
    forecasts = fit_predict(
        prepared.frame, (horizon_end - as_of).days - 1, level=level, n_jobs=n_jobs
    )
    out = []
    for uid, history in prepared.frame.groupby("unique_id", sort=False):
        scope, currency = prepared.keys[str(uid)]
        forecast = forecasts[str(uid)][MODEL]
        month_rows = []
        for ahead in range(months + 1):
            first, end = month_start(as_of, ahead), month_start(as_of, ahead + 1)
            actual, projection = period_projection(history, forecast, first, end, currency, level)
            month_rows.append(MonthForecast(first, actual, projection))
        out.append(ScopeForecast(scope, currency, as_of, forecast.model, tuple(month_rows)))
    return sorted(out, key=lambda f: (f.scope, f.currency))


def project_period_end(
    series: Mapping[date, Decimal | float],
    period_end: date,
    *,
    period_start: date | None = None,
    currency: str = "USD",
    level: int = LEVEL,
) -> Projection:
    """Total spend of the period ending (exclusively, like FOCUS BillingPeriodEnd) on
    `period_end`, from daily actual `series`: actual to date plus the forecast of the rest.

    `period_start` defaults to the first day of the month before `period_end`.
    """
    if not series:
        raise ForecastError("no_data", "the series is empty")
    first = period_start or month_start(period_end - timedelta(days=1))
    daily = pd.DataFrame(
        {
            "scope": "series",
            "currency": currency,
            "ds": pd.to_datetime(list(series)),
            "y": [float(v) for v in series.values()],
        }
    )
    prepared = prepare(daily)
    history = prepared.frame
    horizon = max((period_end - prepared.as_of).days - 1, 1)
    forecast = fit_predict(history, horizon, level=level)[history["unique_id"].iloc[0]][MODEL]
    return period_projection(history, forecast, first, period_end, currency, level)[1]
