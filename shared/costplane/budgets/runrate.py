"""The live run-rate: which priced resources run, in which budgets, since when; moved by the
events that create, start, stop or delete them. A creation reserves its cost to the period end
(`Reservations`) where a ledger is configured."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import StrEnum

from costplane.budgets.ledger import Reservations
from costplane.budgets.ports import RateEntry, RunRateStore
from costplane.budgets.prices import PriceBook
from costplane.budgets.runstate import RunState, run_state
from costplane.budgets.scopes import ScopeMatcher, Subject
from costplane.domain.budgets import Budget, BudgetUnit
from costplane.domain.events import Operation, ResourceEvent


class Observed(StrEnum):
    """What `observe` did with an event, for metrics."""

    PRICED = "priced"
    UNPRICED = "unpriced"
    STARTED = "started"
    STOPPED = "stopped"
    REMOVED = "removed"
    UNKNOWN_RESOURCE = "unknown_resource"
    IGNORED = "ignored"


CHANGES = frozenset({Observed.PRICED, Observed.STARTED, Observed.STOPPED, Observed.REMOVED})
"""What changes a budget's view (the others leave it as it was)."""


class RunRate:
    def __init__(
        self,
        budgets: Sequence[Budget],
        prices: PriceBook,
        rates: RunRateStore,
        reservations: Reservations,
    ) -> None:
        self.budgets = tuple(budgets)
        self.prices = prices
        self.rates = rates
        self.reservations = reservations
        self._matchers = {b.name: ScopeMatcher(b.scope) for b in self.budgets}

    def observe(self, event: ResourceEvent, tags: Mapping[str, str] | None) -> Observed:
        key = resource_key(event)
        if event.operation is Operation.CREATE:
            return self._created(event, key, tags)
        state = run_state(event) if event.operation is Operation.STATE else None
        if event.operation is Operation.DELETE or state is RunState.GONE:
            if not self.rates.remove_rate(key):
                return Observed.UNKNOWN_RESOURCE
            self.reservations.release_created(key, self.budgets, event.event_time)
            return Observed.REMOVED
        if state is None:
            return Observed.IGNORED
        running = state is RunState.RUNNING
        if not self.rates.set_running(key, running, event.event_time):
            return Observed.UNKNOWN_RESOURCE
        if running:
            return Observed.STARTED
        self.reservations.release_created(key, self.budgets, event.event_time)
        return Observed.STOPPED

    def _created(self, event: ResourceEvent, key: str, tags: Mapping[str, str] | None) -> Observed:
        quote = self.prices.quote(event)
        if quote is None:
            return Observed.UNPRICED
        subject = Subject.of(event, tags)
        budgets = tuple(
            b.name
            for b in self.budgets
            if b.unit is BudgetUnit.MONEY
            and b.currency == quote.currency
            and self._matchers[b.name].matches(subject)
        )
        since = event.event_time
        reserved = self.reservations.reserve_created(key, quote.price, budgets, since)
        self.rates.put_rate(
            key, RateEntry(quote.price, quote.currency, budgets, True, since, reserved)
        )
        return Observed.PRICED


def resource_key(event: ResourceEvent) -> str:
    return f"{event.provider.value}:{event.account}:{event.resource_id}"
