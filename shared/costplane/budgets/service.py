"""Budgets as the policy engine sees them: actual, live run-rate, projection, thresholds.

    actual     = max(EffectiveCost in the lake for the scope and period,
                     the latest actual a cloud budget notification reported)
    projected  = max(actual + reserved + sum over running resources in scope of
                       rate x hours from max(running since, lake rows end) to period end,
                     the latest forecast a cloud notification reported,
                     the point forecast of the period end from the lake's daily history)

A resource created with a ledger present is reserved, not projected by its rate: its cost from
creation to the period end is reserved atomically in each budget's ledger, against what the
budget has left after actual and the other running resources, so concurrent creations cannot
together pass the budget. A granted budget counts the reservation (less the hours of it the lake
already counts, so nothing is counted twice); a refused one counts the resource by its rate,
which takes the projection past 100% for the event that was refused. Stopping or deleting the
resource releases the reservation; its hours so far are left to the lake, as a stopped
resource's run-rate is. A restarted resource counts by its rate.

The lake is 8-24 hours behind; a resource created since is not in `actual`, so its hours are
counted from when it started, not from now. With every resource running since before the
lake's last row, this is `actual + run-rate x hours left` measured from where the lake ends.
The run-rate misses what no event announces (usage-priced services, growth, weekly swings);
a statsforecast forecast of the daily history sees those, so `projected` is the higher of the
two. Fitting takes seconds, so the event path never fits: cost ingest fits after each delivery
and stores the projections in the lake (`budget_forecasts`), and the policy runner's
`budget_views` read them from there (`forecasts`); without a stored projection for the current
period, the run-rate stands. `status(now, forecasts)` takes freshly fitted ones instead.

`BudgetService` is the policy runner's `SpendFacts`: `cost_per_hour(event)` and
`budget_views(now)`. Events reach it through `observe(event)`; cloud notifications through
`apply_signal(signal)`; spend about to happen through `reserve` / `settle` / `release`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import Decimal

from costplane.budgets.ledger import Reservations
from costplane.budgets.periods import window
from costplane.budgets.ports import ReservationLedger, RunRateStore, SignalFigures, SignalStore
from costplane.budgets.prices import PriceBook
from costplane.budgets.runrate import CHANGES, Observed, RunRate
from costplane.budgets.spend import ForecastSource, LakeSource, SpendReader
from costplane.budgets.status import BudgetStatus, StatusReader
from costplane.budgets.timed import TimedCache
from costplane.domain.budgets import Budget, BudgetUnit, BudgetView, Projection
from costplane.domain.events import ResourceEvent
from costplane.domain.signals import BudgetSignal, SpendBasis


class BudgetService:
    """The budgets layer as the policy runner sees it (`SpendFacts`), over parts with one job
    each: spend read (`SpendReader`), the run-rate (`RunRate`), reservations (`Reservations`)
    and status (`StatusReader`); it keeps the views the runner reads fresh."""

    def __init__(
        self,
        budgets: Sequence[Budget],
        prices: PriceBook,
        rates: RunRateStore,
        signals: SignalStore,
        lake: LakeSource | None = None,
        ledger: ReservationLedger | None = None,
        lake_ttl: timedelta = timedelta(minutes=15),
        views_ttl: timedelta = timedelta(seconds=30),
        forecasts: ForecastSource | None = None,
    ) -> None:
        self.budgets = tuple(budgets)
        self.prices = prices
        self.rates = rates
        self.signals = signals
        self.ledger = ledger
        spend = SpendReader(signals, lake, lake_ttl, forecasts)
        by_name = {b.name: b for b in self.budgets}
        self.reservations = Reservations(by_name, spend, rates, ledger)
        self.run_rate = RunRate(self.budgets, prices, rates, self.reservations)
        self.statuses = StatusReader(self.budgets, spend, rates, self.reservations)
        self._views = TimedCache[dict[str, BudgetView]](views_ttl)

    def cost_per_hour(self, event: ResourceEvent) -> Decimal | None:
        return self.prices.hourly_cost(event)

    def budget_views(self, now: datetime) -> dict[str, BudgetView]:
        """Cached for `views_ttl` (one read of the store per budget is too slow per event);
        a change this process records is seen at once, another process's within the ttl."""
        return self._views.get(now, lambda: {s.budget.name: s.view for s in self.status(now)})

    def observe(self, event: ResourceEvent, tags: Mapping[str, str] | None = None) -> Observed:
        """Update the run-rate from a create, stop, start or delete; `tags` as observed
        (the event's own when None), for budgets scoped by tag."""
        observed = self.run_rate.observe(event, tags)
        if observed in CHANGES:
            self._views.clear()
        return observed

    def apply_signal(self, signal: BudgetSignal, now: datetime) -> list[str]:
        """Record a cloud budget's figure for the budgets it reports on; their names."""
        moment = signal.observed_at or now
        figures = (
            SignalFigures(forecast=signal.spent)
            if signal.basis is SpendBasis.FORECAST
            else SignalFigures(actual=signal.spent)
        )
        updated = []
        for budget in self.budgets:
            named = signal.budget == budget.name or signal.budget in budget.signals
            money = budget.unit is BudgetUnit.MONEY and signal.currency == budget.currency
            if named and money:
                self.signals.record_signal(budget.name, window(budget.period, moment).key, figures)
                updated.append(budget.name)
        self._views.clear()
        return updated

    def status(
        self, now: datetime, forecasts: Mapping[str, Projection] | None = None
    ) -> list[BudgetStatus]:
        return self.statuses.status(now, forecasts)

    def reserve(self, budget: str, reservation_id: str, amount: Decimal, now: datetime) -> bool:
        granted = self.reservations.reserve(budget, reservation_id, amount, now)
        self._views.clear()
        return granted

    def settle(self, reservation_id: str, cost: Decimal) -> bool:
        """The reserved spend happened and cost `cost`."""
        settled = self.reservations.settle(reservation_id, cost)
        self._views.clear()
        return settled

    def release(self, reservation_id: str) -> bool:
        """The reserved spend did not happen (the action failed or was denied)."""
        released = self.reservations.release(reservation_id)
        self._views.clear()
        return released
