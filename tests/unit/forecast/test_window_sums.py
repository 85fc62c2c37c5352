"""Month totals from daily forecasts: the variance of a sum of correlated daily errors."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from costplane.billing.forecast.model import DailyForecast, window_sd, z_score


def test_a_random_walks_sum_has_the_closed_form_variance() -> None:
    days = 30
    sd = np.sqrt(np.arange(1, days + 1, dtype=float))  # Var(h) = h: psi weights all 1
    expected = days * (days + 1) * (2 * days + 1) / 6
    assert window_sd(sd, 0, days - 1) == pytest.approx(np.sqrt(expected))


def test_independent_daily_errors_add_their_variances() -> None:
    sd = np.full(10, 2.0)
    assert window_sd(sd, 3, 9) == pytest.approx(np.sqrt(7 * 4.0))


def test_a_seasonal_naive_error_repeats_every_seven_days() -> None:
    sd = np.sqrt(np.repeat([1.0, 2.0], 7))  # days 8-14 reuse the shocks of days 1-7
    assert window_sd(sd, 0, 13) == pytest.approx(np.sqrt(4 * 7 + 7))


def test_the_closed_form_matches_a_simulation_of_the_same_process() -> None:
    rng = np.random.default_rng(7)
    alpha, days = 0.3, 20
    shocks = rng.normal(size=(200_000, days))
    errors = shocks.copy()
    errors[:, 1:] += alpha * np.cumsum(shocks, axis=1)[:, :-1]  # ETS(A,N,N): psi_j = alpha
    sd = np.sqrt(1 + alpha**2 * np.arange(days))
    simulated = errors[:, 5:15].sum(axis=1).std()
    assert window_sd(sd, 5, 14) == pytest.approx(simulated, rel=0.01)


def test_a_window_outside_the_forecast_is_empty() -> None:
    forecast = DailyForecast("m", date(2024, 10, 1), np.ones(5), np.ones(5))
    assert forecast.window(date(2024, 9, 1), date(2024, 9, 30)) == (0.0, 0.0)
    assert forecast.window(date(2024, 9, 20), date(2024, 10, 2))[0] == 2.0


def test_z_score_of_an_80_percent_interval() -> None:
    assert z_score(80) == pytest.approx(1.2816, abs=1e-4)
