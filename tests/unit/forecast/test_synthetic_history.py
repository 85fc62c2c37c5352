"""The generated histories the benchmark and tests measure forecasts on."""

from __future__ import annotations

from datetime import date

import pandas as pd

from costplane.billing.forecast.synthetic import generate_history


def test_history_covers_whole_calendar_months_per_scope() -> None:
    history = generate_history(3, months=18, start=date(2024, 1, 1))
    assert (
        history.groupby("scope")["ds"].agg(["min", "max", "size"]).values.tolist()
        == [[pd.Timestamp("2024-01-01"), pd.Timestamp("2025-06-30"), 547]] * 3
    )


def test_the_same_seed_gives_the_same_history() -> None:
    assert generate_history(2, seed=5).equals(generate_history(2, seed=5))
    assert not generate_history(2, seed=5).equals(generate_history(2, seed=6))


def test_costs_are_positive_with_quieter_weekends() -> None:
    history = generate_history(20, seed=1)
    assert (history["y"] > 0).all()
    weekday = history["ds"].dt.dayofweek
    assert history[weekday >= 5]["y"].mean() < history[weekday < 5]["y"].mean()
