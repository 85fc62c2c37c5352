"""Forecasting 500 scopes, and the backtest accuracy of month totals.

Histories: `costplane.billing.forecast.synthetic.generate_history` — 18 complete months of daily
cost per scope with weekly seasonality, compounding growth, step changes, noise and a recurring
1st-of-month charge. Timing: period-end plus 3 months for 500 scopes, beside SeasonalNaive(7)
for the same scopes in the same run. Accuracy: a rolling-origin backtest at the last 6 month
starts, MAPE of month totals beside SeasonalNaive(7) and the coverage of 80% intervals.
"""

from __future__ import annotations

import time

import pandas as pd
from statsforecast import StatsForecast
from statsforecast.models import SeasonalNaive

from costplane.billing.forecast.backtest import backtest
from costplane.billing.forecast.model import BASELINE, MODEL
from costplane.billing.forecast.projection import forecast_scopes, prepare
from costplane.billing.forecast.synthetic import generate_history
from tests.bench.report import Figure, console, show

SCOPES = 500
BACKTEST_SCOPES = 200
HORIZON_DAYS = 4 * 31


def _time_baseline(history: pd.DataFrame) -> float:
    frame = prepare(history).frame
    started = time.perf_counter()
    StatsForecast(models=[SeasonalNaive(7)], freq="D").forecast(
        df=frame, h=HORIZON_DAYS, level=[80]
    )
    return time.perf_counter() - started


def run() -> list[Figure]:
    history = generate_history(SCOPES, seed=42)
    started = time.perf_counter()
    forecasts = forecast_scopes(history, months=3)
    ours = time.perf_counter() - started
    baseline = _time_baseline(history)
    console.print(f"forecast {len(forecasts)} scopes, as of {forecasts[0].as_of}, 3 months ahead")

    sample = history[history["scope"].isin(sorted(history["scope"].unique())[:BACKTEST_SCOPES])]
    started = time.perf_counter()
    report = backtest(sample, origins=6, horizon=3)
    console.print(
        f"backtest of {BACKTEST_SCOPES} scopes at {len(report.origins)} origins "
        f"({report.origins[0]} … {report.origins[-1]}) took {time.perf_counter() - started:.1f} s"
    )
    overall = report.overall()
    figures = [
        Figure(f"forecast {SCOPES} scopes", ours, baseline, "s", "≤ 60 s", "SeasonalNaive(7)"),
    ]
    for ahead in (1, 2, 3):
        model, base = overall[(MODEL, ahead)], overall[(BASELINE, ahead)]
        assert model.mape is not None
        assert base.mape is not None
        goal = "≤ 10%, ≥ 20% below baseline" if ahead == 1 else "reported"
        figures.append(
            Figure(
                f"MAPE of month totals, {ahead} month(s) ahead",
                100 * model.mape,
                100 * base.mape,
                "%",
                goal,
                "SeasonalNaive(7)",
            )
        )
        figures.append(
            Figure(
                f"80% interval coverage, {ahead} month(s) ahead",
                100 * (model.coverage or 0.0),
                100 * (base.coverage or 0.0),
                "%",
                "≈ 80%",
                "SeasonalNaive(7)",
            )
        )
    show("Forecasting daily cost (statsforecast MSTL + AutoETS)", figures)
    return figures
