"""Rolling-origin backtest: stand at past month starts, forecast, compare with what happened.

At each origin (the first day of a past month) both the model and the SeasonalNaive
baseline see only the days before it and forecast the next `horizon` calendar months. A
month total's absolute percentage error and whether the actual fell inside the interval are
recorded per scope, model and months-ahead; MAPE and coverage pool them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from statistics import fmean
from typing import TypeVar

import pandas as pd

from costplane.billing.forecast.errors import ForecastError
from costplane.billing.forecast.model import (
    BASELINE,
    LEVEL,
    MIN_SEASONAL_DAYS,
    MODEL,
    fit_predict,
    z_score,
)
from costplane.billing.forecast.projection import month_start, prepare

MIN_TRAINING_MONTHS = 2
K = TypeVar("K")


@dataclass(frozen=True, slots=True)
class Outcome:
    """One forecast month total against what the month actually cost."""

    scope: str
    currency: str
    model: str
    origin: date
    ahead: int
    """1 = the month starting at the origin, 2 = the next one, ..."""
    actual: float
    forecast: float
    covered: bool

    @property
    def ape(self) -> float | None:
        return abs(self.forecast - self.actual) / abs(self.actual) if self.actual else None


@dataclass(frozen=True, slots=True)
class Score:
    mape: float | None
    """Mean absolute percentage error of month totals (months that cost nothing left out)."""
    coverage: float | None
    """Share of actual month totals inside the prediction interval."""
    count: int


def score(outcomes: list[Outcome]) -> Score:
    errors = [e for o in outcomes if (e := o.ape) is not None]
    return Score(
        fmean(errors) if errors else None,
        fmean(o.covered for o in outcomes) if outcomes else None,
        len(outcomes),
    )


@dataclass(frozen=True, slots=True)
class BacktestReport:
    level: int
    horizon: int
    origins: tuple[date, ...]
    outcomes: list[Outcome] = field(repr=False)

    def overall(self) -> dict[tuple[str, int], Score]:
        """Pooled score per (model, months ahead)."""
        return self._grouped(lambda o: (o.model, o.ahead))

    def per_scope(self, ahead: int = 1) -> dict[tuple[str, str, str], Score]:
        """Score per (scope, currency, model) for forecasts `ahead` months out."""
        return self._grouped(lambda o: (o.scope, o.currency, o.model) if o.ahead == ahead else None)

    def _grouped(self, key: Callable[[Outcome], K | None]) -> dict[K, Score]:
        groups: dict[K, list[Outcome]] = defaultdict(list)
        for outcome in self.outcomes:
            if (k := key(outcome)) is not None:
                groups[k].append(outcome)
        return {k: score(v) for k, v in groups.items()}


def origins_for(first_day: date, as_of: date, count: int, horizon: int) -> list[date]:
    """The last `count` month starts whose `horizon` months are complete by `as_of`, each
    with at least MIN_TRAINING_MONTHS of history before it."""
    last_complete = month_start(as_of + timedelta(days=1))
    latest = month_start(last_complete, -horizon)
    earliest = month_start(first_day + timedelta(days=MIN_SEASONAL_DAYS), MIN_TRAINING_MONTHS)
    candidates: list[date] = []
    origin = latest
    while origin >= earliest and len(candidates) < count:
        candidates.append(origin)
        origin = month_start(origin, -1)
    return sorted(candidates)


def backtest(
    daily: pd.DataFrame,
    *,
    origins: int = 6,
    horizon: int = 3,
    level: int = LEVEL,
    n_jobs: int = 1,
) -> BacktestReport:
    """Replay `origins` past month starts, forecasting `horizon` months from each."""
    prepared = prepare(daily)
    frame = prepared.frame
    chosen = origins_for(frame["ds"].min().date(), prepared.as_of, origins, horizon)
    if not chosen:
        raise ForecastError(
            "not_enough_history",
            f"a backtest of {horizon} month(s) ahead needs at least "
            f"{MIN_TRAINING_MONTHS + horizon} complete months of history; the data runs "
            f"{frame['ds'].min():%Y-%m-%d} to {prepared.as_of:%Y-%m-%d}",
        )
    z = z_score(level)
    month_totals = frame.groupby(["unique_id", frame["ds"].dt.to_period("M")])["y"].sum()
    outcomes: list[Outcome] = []
    for origin in chosen:
        train = frame[frame["ds"] < pd.Timestamp(origin)]
        end = month_start(origin, horizon)
        forecasts = fit_predict(train, (end - origin).days, level=level, n_jobs=n_jobs)
        for uid, models in forecasts.items():
            scope, currency = prepared.keys[uid]
            for ahead in range(1, horizon + 1):
                first, stop = month_start(origin, ahead - 1), month_start(origin, ahead)
                actual = float(month_totals[(uid, pd.Period(first, freq="M"))])
                for name in (MODEL, BASELINE):
                    point, sd = models[name].window(first, stop - timedelta(days=1))
                    covered = abs(actual - point) <= z * sd
                    outcomes.append(
                        Outcome(scope, currency, name, origin, ahead, actual, point, covered)
                    )
    return BacktestReport(level, horizon, tuple(chosen), outcomes)
