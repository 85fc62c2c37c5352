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
two. Fitting takes seconds, so it is made only when asked (`period_forecasts`, passed to
`status`): the policy runner's `budget_views` stays on the run-rate.

`BudgetService` is the policy runner's `SpendFacts`: `cost_per_hour(event)` and
`budget_views(now)`. Events reach it through `observe(event)`; cloud notifications through
`apply_signal(signal)`; spend about to happen through `reserve` / `settle` / `release`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Generic, TypeVar

from costplane.budgets.periods import Window, hours, window
from costplane.budgets.ports import (
    LakeSpend,
    RateEntry,
    ReservationLedger,
    ReservationNotFound,
    RunRateStore,
    SignalFigures,
    SignalStore,
)
from costplane.budgets.prices import PriceBook
from costplane.budgets.runstate import RunState, run_state
from costplane.budgets.scopes import ScopeMatcher, Subject
from costplane.domain.budgets import Budget, BudgetView, Period, Threshold
from costplane.domain.events import Operation, ResourceEvent
from costplane.domain.signals import BudgetSignal, SpendBasis

if TYPE_CHECKING:
    from costplane.domain.budgets import Projection

LakeSource = Callable[[datetime], LakeSpend]
T = TypeVar("T")
OK = "ok"
_HUNDRED = Decimal(100)


class Observed(StrEnum):
    """What `observe` did with an event, for metrics."""

    PRICED = "priced"
    UNPRICED = "unpriced"
    STARTED = "started"
    STOPPED = "stopped"
    REMOVED = "removed"
    UNKNOWN_RESOURCE = "unknown_resource"
    IGNORED = "ignored"


_CHANGES = frozenset({Observed.PRICED, Observed.STARTED, Observed.STOPPED, Observed.REMOVED})


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


class BudgetService:
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
    ) -> None:
        self.budgets = tuple(budgets)
        self.prices = prices
        self.rates = rates
        self.signals = signals
        self.ledger = ledger
        self._by_name = {b.name: b for b in self.budgets}
        self._matchers = {b.name: ScopeMatcher(b.scope) for b in self.budgets}
        self._lake_source = lake
        self._lake = _TimedCache[LakeSpend](lake_ttl)
        self._views = _TimedCache[dict[str, BudgetView]](views_ttl)

    # SpendFacts --------------------------------------------------------------------------

    def cost_per_hour(self, event: ResourceEvent) -> Decimal | None:
        return self.prices.hourly_cost(event)

    def budget_views(self, now: datetime) -> dict[str, BudgetView]:
        """Cached for `views_ttl` (one read of the store per budget is too slow per event);
        a change this process records is seen at once, another process's within the ttl."""
        return self._views.get(now, lambda: {s.budget.name: s.view for s in self.status(now)})

    # Run-rate ----------------------------------------------------------------------------

    def observe(self, event: ResourceEvent, tags: Mapping[str, str] | None = None) -> Observed:
        """Update the run-rate from a create, stop, start or delete; `tags` as observed
        (the event's own when None), for budgets scoped by tag."""
        observed = self._observe(event, tags)
        if observed in _CHANGES:
            self._views.clear()
        return observed

    def _observe(self, event: ResourceEvent, tags: Mapping[str, str] | None) -> Observed:
        key = resource_key(event)
        if event.operation is Operation.CREATE:
            return self._created(event, key, tags)
        state = run_state(event) if event.operation is Operation.STATE else None
        if event.operation is Operation.DELETE or state is RunState.GONE:
            if not self.rates.remove_rate(key):
                return Observed.UNKNOWN_RESOURCE
            self._release_created(key, event.event_time)
            return Observed.REMOVED
        if state is None:
            return Observed.IGNORED
        running = state is RunState.RUNNING
        if not self.rates.set_running(key, running, event.event_time):
            return Observed.UNKNOWN_RESOURCE
        if running:
            return Observed.STARTED
        self._release_created(key, event.event_time)
        return Observed.STOPPED

    def _created(self, event: ResourceEvent, key: str, tags: Mapping[str, str] | None) -> Observed:
        quote = self.prices.quote(event)
        if quote is None:
            return Observed.UNPRICED
        subject = Subject.of(event, tags)
        budgets = tuple(
            b.name
            for b in self.budgets
            if b.currency == quote.currency and self._matchers[b.name].matches(subject)
        )
        since = event.event_time
        reserved = self._reserve_created(key, quote.price, budgets, since)
        self.rates.put_rate(
            key, RateEntry(quote.price, quote.currency, budgets, True, since, reserved)
        )
        return Observed.PRICED

    def _reserve_created(
        self, key: str, price: Decimal, names: tuple[str, ...], since: datetime
    ) -> tuple[str, ...]:
        """Reserve a new resource's cost to each budget's period end; the budgets that granted
        it. Idempotent: a redelivered creation is answered what the first one was."""
        ledger = self.ledger
        if ledger is None or not names:
            return ()
        lake = self._lake_spend(since)
        running = self.rates.running_rates(names)
        granted = []
        for name in names:
            budget = self._by_name[name]
            period = window(budget.period, since)
            amount = price * hours(since, period.end)
            if amount <= 0:
                continue
            _, _, actual = self._spent(budget, period, lake)
            left = budget.amount - actual - _outstanding(budget, period, lake, running[name])
            reservation = reservation_id(key, budget, period)
            if ledger.reserve(ledger_key(budget, period), reservation, amount, left):
                granted.append(name)
        return tuple(granted)

    def _release_created(self, key: str, at: datetime) -> None:
        """Give back what a creation reserved in the period of `at` (nothing if it did not)."""
        if self.ledger is None:
            return
        for budget in self.budgets:
            with suppress(ReservationNotFound):
                self.ledger.release(reservation_id(key, budget, window(budget.period, at)))

    # Signals -----------------------------------------------------------------------------

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
            if named and signal.currency == budget.currency:
                self.signals.record_signal(budget.name, window(budget.period, moment).key, figures)
                updated.append(budget.name)
        self._views.clear()
        return updated

    # Status ------------------------------------------------------------------------------

    def status(
        self, now: datetime, forecasts: Mapping[str, Projection] | None = None
    ) -> list[BudgetStatus]:
        """Each budget as of `now`; `forecasts` (from `period_forecasts`) raise projections."""
        lake = self._lake_spend(now)
        running = self.rates.running_rates([b.name for b in self.budgets])
        found = forecasts or {}
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
        lake_actual, figures, actual = self._spent(budget, period, lake)
        accruing = _outstanding(budget, period, lake, running)
        reserved = self.ledger.committed(ledger_key(budget, period)) if self.ledger else Decimal(0)
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

    def _spent(
        self, budget: Budget, period: Window, lake: LakeSpend
    ) -> tuple[Decimal, SignalFigures, Decimal]:
        """(the lake's actual, the clouds' figures, the actual: the higher of the two)."""
        figures = self.signals.signal_figures(budget.name, period.key)
        lake_actual = lake.actual.get(budget.name, Decimal(0))
        return lake_actual, figures, max(lake_actual, figures.actual or Decimal(0))

    def _lake_spend(self, now: datetime) -> LakeSpend:
        source = self._lake_source
        if source is None:
            return LakeSpend({})
        return self._lake.get(now, lambda: source(now))

    # Reservations ------------------------------------------------------------------------

    def reserve(self, budget: str, reservation_id: str, amount: Decimal, now: datetime) -> bool:
        """Reserve `amount` of new spend against what is left of the budget, atomically:
        the ledger's limit is the amount less the actual spend (lake or cloud, the higher)."""
        found = self._by_name[budget]
        period = window(found.period, now)
        _, _, actual = self._spent(found, period, self._lake_spend(now))
        key = ledger_key(found, period)
        granted = self._ledger().reserve(key, reservation_id, amount, found.amount - actual)
        self._views.clear()
        return granted

    def settle(self, reservation_id: str, cost: Decimal) -> bool:
        """The reserved spend happened and cost `cost`."""
        settled = self._ledger().settle(reservation_id, cost)
        self._views.clear()
        return settled

    def release(self, reservation_id: str) -> bool:
        """The reserved spend did not happen (the action failed or was denied)."""
        released = self._ledger().release(reservation_id)
        self._views.clear()
        return released

    def _ledger(self) -> ReservationLedger:
        if self.ledger is None:
            raise RuntimeError("this budget service has no reservation ledger")
        return self.ledger


def resource_key(event: ResourceEvent) -> str:
    return f"{event.provider.value}:{event.account}:{event.resource_id}"


def ledger_key(budget: Budget, period: Window) -> str:
    return f"{budget.name}#{period.key}"


def reservation_id(key: str, budget: Budget, period: Window) -> str:
    """The reservation a creation makes: one per resource, budget and period."""
    return f"created#{key}#{ledger_key(budget, period)}"


def _outstanding(
    budget: Budget, period: Window, lake: LakeSpend, running: Sequence[RateEntry]
) -> Decimal:
    """What the running resources add to actual and reserved spend by the period end."""
    through = lake.through.get(budget.name)
    return sum((_still_to_count(e, budget, period, through) for e in running), Decimal(0))


def _still_to_count(
    entry: RateEntry, budget: Budget, period: Window, through: datetime | None
) -> Decimal:
    """A resource's rate from where the lake ends (or it started); when its cost from its
    creation this period is reserved instead, minus the hours of it the lake already counts."""
    start = max(entry.since, period.start)
    counted = max(start, through or start)
    if budget.name in entry.reserved and entry.since >= period.start:
        return -entry.rate * hours(start, min(counted, period.end))
    return entry.rate * hours(counted, period.end)


class _TimedCache(Generic[T]):
    """A value reused for `ttl` within one calendar month (budget periods turn over at month
    starts, and a new period needs a new value); `clear` forgets it at once."""

    def __init__(self, ttl: timedelta) -> None:
        self.ttl = ttl
        self._lock = threading.Lock()
        self._cached: tuple[datetime, T] | None = None

    def get(self, now: datetime, compute: Callable[[], T]) -> T:
        with self._lock:
            cached = self._cached
            if cached is None or not _fresh(cached[0], now, self.ttl):
                cached = self._cached = (now, compute())
            return cached[1]

    def clear(self) -> None:
        with self._lock:
            self._cached = None


def _fresh(at: datetime, now: datetime, ttl: timedelta) -> bool:
    same_month = window(Period.MONTHLY, at).start == window(Period.MONTHLY, now).start
    return at <= now < at + ttl and same_month
