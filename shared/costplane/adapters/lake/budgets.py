"""The budget service over a lake: prices learned from it, actuals read from it when asked, and
each budget's period end forecast from its daily history; stores are the plane's."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from typing import TYPE_CHECKING

from costplane.adapters.lake.budget_actuals import lake_daily_spend, lake_spend
from costplane.adapters.lake.budget_prices import learn_prices
from costplane.billing.lake.table import Lake
from costplane.budgets.periods import window
from costplane.budgets.ports import ReservationLedger, RunRateStore, SignalStore
from costplane.budgets.prices import PriceBook, PriceTable, fallback_sheet
from costplane.budgets.service import BudgetService
from costplane.domain.budgets import Budget, BudgetsFile

if TYPE_CHECKING:
    from costplane.domain.budgets import Projection

PRICE_HISTORY = timedelta(days=92)
"""How far back prices are learned: a quarter of bills covers the SKUs in use."""


def lake_budget_service(
    budgets: BudgetsFile,
    lake: Lake | None,
    stores: tuple[RunRateStore, SignalStore, ReservationLedger],
    now: datetime,
) -> BudgetService:
    """Prices learned once from the lake (else the sheet alone); actuals read when asked."""
    learned = learn_prices(lake, now - PRICE_HISTORY, now) if lake else PriceTable("lake")
    prices = PriceBook(learned, fallback_sheet())
    source = partial(lake_spend, lake, budgets.budgets) if lake is not None else None
    rates, signals, ledger = stores
    return BudgetService(budgets.budgets, prices, rates, signals, source, ledger)


def lake_forecasts(budgets: BudgetsFile, lake: Lake, now: datetime) -> dict[str, Projection]:
    """Each budget's period end forecast from the lake's daily history; seconds of fitting,
    so made only when asked, for `BudgetService.status(now, forecasts)`."""
    return period_forecasts(budgets.budgets, lake_daily_spend(lake, budgets.budgets, now), now)


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
