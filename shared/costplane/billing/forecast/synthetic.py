"""Realistic daily cost histories to measure forecasts on: one series per scope.

Each scope has its own scale (log-normal across scopes, as real spend is), compounding
monthly growth, a weekday/weekend pattern, zero to two step changes (a workload launched or
retired, a commitment bought), multiplicative daily noise, and a recurring charge on the 1st
of each month (support plans, subscriptions) that moves with the trend.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd


@dataclass(frozen=True, slots=True)
class Shape:
    """The distributions scopes are drawn from; the defaults are what the benchmark uses."""

    scale_log_mean: float = 5.0
    scale_log_sd: float = 1.2
    monthly_growth_mean: float = 0.02
    monthly_growth_sd: float = 0.02
    weekend_low: float = 0.55
    weekend_high: float = 0.95
    max_steps: int = 2
    step_low: float = 0.10
    step_high: float = 0.35
    noise_low: float = 0.04
    noise_high: float = 0.12
    monthly_fee_max: float = 0.10
    """Upper bound of the 1st-of-month charge, as a share of a month's usage."""


def generate_history(
    scopes: int,
    *,
    months: int = 18,
    start: date = date(2024, 1, 1),
    seed: int = 0,
    currency: str = "USD",
    shape: Shape = Shape(),
) -> pd.DataFrame:
    """`months` complete calendar months of daily cost for `scopes` scopes.

    Columns: scope, currency, ds (datetime64), y (float cost of that day).
    """
    rng = np.random.default_rng(seed)
    end = pd.Timestamp(start) + pd.DateOffset(months=months)
    dates = pd.date_range(pd.Timestamp(start), end - pd.Timedelta(days=1), freq="D")
    days = len(dates)
    t = np.arange(days)
    weekday = dates.dayofweek.to_numpy()
    first_of_month = dates.day.to_numpy() == 1
    frames = []
    for i in range(scopes):
        scale = rng.lognormal(shape.scale_log_mean, shape.scale_log_sd)
        growth = (1 + rng.normal(shape.monthly_growth_mean, shape.monthly_growth_sd)) ** (t / 30.4)
        weekend = rng.uniform(shape.weekend_low, shape.weekend_high)
        weekly = np.where(weekday >= 5, weekend, 1.0) * (1 + rng.normal(0, 0.03, 7))[weekday]
        level = np.ones(days)
        for _ in range(rng.integers(0, shape.max_steps + 1)):
            at = rng.integers(60, days)
            level[at:] *= 1 + rng.choice([-1, 1]) * rng.uniform(shape.step_low, shape.step_high)
        noise = rng.lognormal(0, rng.uniform(shape.noise_low, shape.noise_high), days)
        fee = rng.uniform(0, shape.monthly_fee_max) * scale * 30
        y = scale * growth * weekly * level * noise + np.where(first_of_month, fee * growth, 0)
        frames.append(
            pd.DataFrame({"scope": f"scope-{i:04d}", "currency": currency, "ds": dates, "y": y})
        )
    return pd.concat(frames, ignore_index=True)
