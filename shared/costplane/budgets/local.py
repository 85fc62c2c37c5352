"""The budget service over a lake: the embedded plane's (state in SQLite) and any other
plane's, given its stores."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from costplane.budgets.actuals import lake_daily_spend, lake_spend
from costplane.budgets.model import BudgetsFile
from costplane.budgets.ports import ReservationLedger, RunRateStore, SignalStore
from costplane.budgets.prices import PriceBook, PriceTable, fallback_sheet, learn_prices
from costplane.budgets.service import BudgetService, period_forecasts
from costplane.budgets.sqlite_store import SqliteBudgetStore
from costplane.lake.table import Lake

if TYPE_CHECKING:
    from costplane.forecast.projection import Projection

PRICE_HISTORY = timedelta(days=92)
"""How far back prices are learned: a quarter of bills covers the SKUs in use."""


def local_budget_service(
    budgets: BudgetsFile, lake: Lake | None, store: SqliteBudgetStore, now: datetime
) -> BudgetService:
    return lake_budget_service(budgets, lake, (store, store, store), now)


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
