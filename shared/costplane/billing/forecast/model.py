"""Daily forecasts from statsforecast, and month totals with honest intervals.

The model is MSTL with a weekly season and an additive-error AutoETS trend (trend type chosen
by AICc); SeasonalNaive(7) is the baseline it must beat. Series under 8 weeks get no trend,
and under 3 weeks HistoricAverage (the run-rate so far): see TIERS.

A month total is a sum of daily forecasts whose errors are correlated (a level that is off
today is off tomorrow too), so neither adding the daily bounds (too wide) nor adding daily
variances (too narrow) is right. These models have an innovations form: the h-day-ahead error
is sum_j psi_j * eps_(t+h-j), psi_0 = 1, psi_j ≥ 0, so Var(h) = sigma² * sum_(j<h) psi_j². The psi
weights are recovered from the growth of the model's own daily interval widths, and the
variance of any window sum follows exactly from them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from statistics import NormalDist

import numpy as np
import numpy.typing as npt
import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import MSTL, AutoETS, HistoricAverage, SeasonalNaive

LEVEL = 80
SEASON = 7
MIN_SEASONAL_DAYS = 3 * SEASON
MIN_TREND_DAYS = 56
MODEL = "MSTL"
BASELINE = "SeasonalNaive"

Floats = npt.NDArray[np.float64]


def z_score(level: int) -> float:
    """Half-width of a central `level`% normal interval, in standard deviations."""
    return NormalDist().inv_cdf(0.5 + level / 200)


@dataclass(frozen=True, slots=True)
class DailyForecast:
    """One model's forecast of one series: daily means and standard deviations from `start`."""

    model: str
    start: date
    mean: Floats
    sd: Floats

    def window(self, first: date, last: date) -> tuple[float, float]:
        """Sum of the forecast over the days first..last (inclusive) and its standard deviation."""
        a, b = (first - self.start).days, (last - self.start).days
        if b < a or b < 0:
            return 0.0, 0.0
        a = max(a, 0)
        return float(self.mean[a : b + 1].sum()), window_sd(self.sd, a, b)


def window_sd(sd: Floats, a: int, b: int) -> float:
    """Standard deviation of the sum of days a..b of a forecast with daily deviations `sd`."""
    variance = np.nan_to_num(sd[: b + 1] ** 2)
    sigma2 = float(variance[0])
    if sigma2 <= 0:
        return float(np.sqrt(variance[a : b + 1].sum()))
    psi = np.sqrt(np.clip(np.diff(variance, prepend=0.0), 0.0, None) / sigma2)
    psi[0] = 1.0
    cumulative = np.concatenate([[0.0], np.cumsum(psi)])
    shock = np.arange(b + 1)
    weights = cumulative[b - shock + 1] - cumulative[np.maximum(a, shock) - shock]
    return float(np.sqrt(sigma2 * np.sum(weights**2)))


@dataclass(frozen=True, slots=True)
class _Tier:
    """The model and baseline for series of at least `min_days` days."""

    min_days: int
    model: Callable[[], object]
    model_label: str
    baseline: Callable[[], object]
    baseline_label: str


TIERS = (
    _Tier(
        MIN_TREND_DAYS,
        lambda: MSTL(season_length=SEASON, trend_forecaster=AutoETS(model="AZN"), alias=MODEL),
        "MSTL",
        lambda: SeasonalNaive(SEASON, alias=BASELINE),
        "SeasonalNaive",
    ),
    _Tier(
        MIN_SEASONAL_DAYS,
        lambda: MSTL(season_length=SEASON, trend_forecaster=AutoETS(model="ANN"), alias=MODEL),
        "MSTL (no trend)",
        lambda: SeasonalNaive(SEASON, alias=BASELINE),
        "SeasonalNaive",
    ),
    _Tier(
        1,
        lambda: HistoricAverage(alias=MODEL),
        "run-rate",
        lambda: HistoricAverage(alias=BASELINE),
        "run-rate",
    ),
)
"""Longest first. A trend fitted to a few weeks extrapolates noise, and a weekly season
needs three weeks to be seen: shorter series get simpler models."""


def fit_predict(
    frame: pd.DataFrame, horizon: int, *, level: int = LEVEL, n_jobs: int = 1
) -> dict[str, dict[str, DailyForecast]]:
    """Forecast every series of `frame` (unique_id, ds, y; all ending on the same day) for
    `horizon` days: {unique_id: {MODEL: forecast, BASELINE: forecast}}."""
    lengths = frame.groupby("unique_id")["ds"].transform("size")
    out: dict[str, dict[str, DailyForecast]] = {}
    upper = np.inf
    for tier in TIERS:
        series = frame[(lengths >= tier.min_days) & (lengths < upper)]
        upper = tier.min_days
        if series.empty:
            continue
        engine = StatsForecast(
            models=[tier.model(), tier.baseline()],
            freq="D",
            n_jobs=n_jobs,
            fallback_model=HistoricAverage(),
        )
        predicted = engine.forecast(df=series, h=horizon, level=[level])
        labels = {MODEL: tier.model_label, BASELINE: tier.baseline_label}
        _collect(out, predicted, labels, level)
    return out


def _collect(
    out: dict[str, dict[str, DailyForecast]],
    predicted: pd.DataFrame,
    labels: dict[str, str],
    level: int,
) -> None:
    z = z_score(level)
    for uid, rows in predicted.groupby("unique_id", sort=False):
        start = rows["ds"].iloc[0].date()
        for name, label in labels.items():
            mean = rows[name].to_numpy(dtype=np.float64)
            sd = (rows[f"{name}-hi-{level}"].to_numpy(dtype=np.float64) - mean) / z
            out.setdefault(str(uid), {})[name] = DailyForecast(
                label, start, mean, np.nan_to_num(sd)
            )
