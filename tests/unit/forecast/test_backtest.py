"""The rolling-origin backtest: origins at month starts, month totals scored per model."""

from __future__ import annotations

from datetime import date

import pytest

from costplane.billing.forecast.backtest import Outcome, backtest, origins_for, score
from costplane.billing.forecast.errors import ForecastError
from costplane.billing.forecast.model import BASELINE, MODEL
from costplane.billing.forecast.synthetic import generate_history


def test_origins_are_the_last_month_starts_whose_horizon_is_complete() -> None:
    assert origins_for(date(2024, 1, 1), date(2024, 12, 31), 3, 2) == [
        date(2024, 9, 1),
        date(2024, 10, 1),
        date(2024, 11, 1),
    ]


def test_origins_leave_two_months_of_training_and_skip_a_partial_last_month() -> None:
    assert origins_for(date(2024, 1, 1), date(2024, 6, 20), 10, 1) == [
        date(2024, 3, 1),
        date(2024, 4, 1),
        date(2024, 5, 1),
    ]


def test_mape_leaves_out_months_that_cost_nothing_and_coverage_counts_them() -> None:
    outcomes = [
        Outcome("s", "USD", MODEL, date(2024, 1, 1), 1, 100.0, 90.0, True),
        Outcome("s", "USD", MODEL, date(2024, 2, 1), 1, 200.0, 260.0, False),
        Outcome("s", "USD", MODEL, date(2024, 3, 1), 1, 0.0, 5.0, False),
    ]
    result = score(outcomes)
    assert result.mape == pytest.approx(0.2)
    assert result.coverage == pytest.approx(1 / 3)
    assert result.count == 3


def test_backtest_scores_model_and_baseline_per_scope_and_months_ahead() -> None:
    report = backtest(generate_history(3, months=8, seed=2), origins=2, horizon=2)
    assert report.origins == (date(2024, 6, 1), date(2024, 7, 1))
    assert len(report.outcomes) == 3 * 2 * 2 * 2
    assert set(report.overall()) == {(MODEL, 1), (MODEL, 2), (BASELINE, 1), (BASELINE, 2)}
    per_scope = report.per_scope(1)
    assert len(per_scope) == 3 * 2
    assert all(s.mape is not None and s.mape < 0.5 for s in per_scope.values())


def test_a_history_too_short_to_replay_is_refused_precisely() -> None:
    with pytest.raises(ForecastError, match="needs at least 5 complete months") as caught:
        backtest(generate_history(1, months=3), horizon=3)
    assert caught.value.code == "not_enough_history"
