"""Each budget's period end forecast from the lake's daily history (statsforecast, imported only
when a forecast is asked for, never on the event path)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from costplane.adapters.lake.budget_actuals import OwnerTags, lake_daily_spend
from costplane.billing.lake.table import Lake
from costplane.budgets.periods import window
from costplane.domain.budgets import Budget, BudgetsFile

if TYPE_CHECKING:
    from costplane.domain.budgets import Projection


def lake_forecasts(
    budgets: BudgetsFile, lake: Lake, now: datetime, owners: OwnerTags | None = None
) -> dict[str, Projection]:
    """Each budget's period end forecast from the lake's daily history (rows attributed by
    `owners` as actuals are); seconds of fitting, so made only when asked, for
    `BudgetService.status(now, forecasts)`."""
    daily = lake_daily_spend(lake, budgets.budgets, now, owners=owners)
    return period_forecasts(budgets.budgets, daily, now)


def period_forecasts(
    budgets: Sequence[Budget], daily: Mapping[str, Mapping[date, Decimal]], now: datetime
) -> dict[str, Projection]:
    """Each budget's period end forecast from its `daily` spend (`lake_daily_spend`); none for
    a budget without history. statsforecast is imported here, never on the event path."""
    from costplane.billing.forecast.projection import project_period_end

    out = {}
    for budget in budgets:
        if series := daily.get(budget.name):
            period = window(budget.period, now)
            out[budget.name] = project_period_end(
                series,
                period.end.date(),
                period_start=period.start.date(),
                currency=budget.currency,
            )
    return out
