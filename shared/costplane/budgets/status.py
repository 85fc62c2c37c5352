"""Where each budget stands: actual, reserved, what running resources add by the period end,
the projection (the higher of those, the clouds' forecast and a forecast of the daily
history), and the thresholds reached."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from costplane.budgets.ledger import Reservations
from costplane.budgets.periods import Window, window
from costplane.budgets.ports import LakeSpend, RateEntry, RunRateStore, SignalFigures
from costplane.budgets.spend import SpendReader, outstanding
from costplane.domain.budgets import Budget, BudgetView, Projection, Threshold

OK = "ok"
_HUNDRED = Decimal(100)


@dataclass(frozen=True, slots=True)
class BudgetStatus:
    """Everything `costplane budgets status` shows about one budget, amounts exact."""

    budget: Budget
    period: Window
    actual: Decimal
    lake_actual: Decimal
    signal: SignalFigures
    run_rate: Decimal
    reserved: Decimal
    projected: Decimal
    through: datetime | None
    forecast: Projection | None = None
    """The period end forecast from the daily history, with its interval, when one was made."""

    @property
    def used_percent(self) -> Decimal:
        return self.actual * _HUNDRED / self.budget.amount

    @property
    def projected_percent(self) -> Decimal:
        return self.projected * _HUNDRED / self.budget.amount

    def reached(self, threshold: Threshold) -> bool:
        used = self.projected_percent if threshold.basis == "projected" else self.used_percent
        return used >= threshold.percent

    @property
    def state(self) -> str:
        """The action of the highest threshold reached, or `ok`."""
        reached = [t for t in self.budget.thresholds if self.reached(t)]
        return reached[-1].action if reached else OK

    @property
    def next_threshold(self) -> Threshold | None:
        return next((t for t in self.budget.thresholds if not self.reached(t)), None)

    @property
    def view(self) -> BudgetView:
        b = self.budget
        return BudgetView(b.name, b.amount, self.actual, self.projected, b.currency)


@dataclass(frozen=True, slots=True)
class StatusReader:
    """Each budget's status from the stores, the lake and (when asked) forecasts."""

    budgets: Sequence[Budget]
    spend: SpendReader
    rates: RunRateStore
    reservations: Reservations

    def status(
        self, now: datetime, forecasts: Mapping[str, Projection] | None = None
    ) -> list[BudgetStatus]:
        """Each budget as of `now`; `forecasts` (fitted just now by `period_forecasts`), else
        those stored in the lake, raise projections; without either, the run-rate stands."""
        lake = self.spend.lake(now)
        running = self.rates.running_rates([b.name for b in self.budgets])
        found = self.spend.forecasts(now) if forecasts is None else forecasts
        return [
            self._status(b, now, lake, running[b.name], found.get(b.name)) for b in self.budgets
        ]

    def _status(
        self,
        budget: Budget,
        now: datetime,
        lake: LakeSpend,
        running: list[RateEntry],
        forecast: Projection | None,
    ) -> BudgetStatus:
        period = window(budget.period, now)
        lake_actual, figures, actual = self.spend.spent(budget, period, lake)
        accruing = outstanding(budget, period, lake, running)
        reserved = self.reservations.committed(budget, period)
        projected = max(
            actual + reserved + accruing,
            figures.forecast or Decimal(0),
            forecast.point if forecast else Decimal(0),
        )
        return BudgetStatus(
            budget=budget,
            period=period,
            actual=actual,
            lake_actual=lake_actual,
            signal=figures,
            run_rate=sum((e.rate for e in running), Decimal(0)),
            reserved=reserved,
            projected=projected,
            through=lake.through.get(budget.name),
            forecast=forecast,
        )
