"""Reservations of spend about to happen, against what each budget has left: a new resource's
cost to its period end when it is created, or an amount a caller reserves; settled or released
later. The ledger (a port) makes each reservation atomic, so concurrent ones cannot together
pass the budget."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextlib import suppress
from datetime import datetime
from decimal import Decimal

from costplane.budgets.periods import Window, hours, window
from costplane.budgets.ports import ReservationLedger, ReservationNotFound, RunRateStore
from costplane.budgets.spend import SpendReader, outstanding
from costplane.domain.budgets import Budget


class Reservations:
    def __init__(
        self,
        budgets: Mapping[str, Budget],
        spend: SpendReader,
        rates: RunRateStore,
        ledger: ReservationLedger | None,
    ) -> None:
        self._by_name = budgets
        self.spend = spend
        self.rates = rates
        self.ledger = ledger

    def committed(self, budget: Budget, period: Window) -> Decimal:
        """Reserved plus settled spend of the budget's period (none without a ledger)."""
        return self.ledger.committed(ledger_key(budget, period)) if self.ledger else Decimal(0)

    def reserve_created(
        self, key: str, price: Decimal, names: tuple[str, ...], since: datetime
    ) -> tuple[str, ...]:
        """Reserve a new resource's cost to each budget's period end; the budgets that granted
        it. Idempotent: a redelivered creation is answered what the first one was."""
        ledger = self.ledger
        if ledger is None or not names:
            return ()
        lake = self.spend.lake(since)
        running = self.rates.running_rates(names)
        granted = []
        for name in names:
            budget = self._by_name[name]
            period = window(budget.period, since)
            amount = price * hours(since, period.end)
            if amount <= 0:
                continue
            actual = self.spend.spent(budget, period, lake).actual
            left = budget.amount - actual - outstanding(budget, period, lake, running[name])
            reservation = reservation_id(key, budget, period)
            if ledger.reserve(ledger_key(budget, period), reservation, amount, left):
                granted.append(name)
        return tuple(granted)

    def release_created(self, key: str, budgets: Sequence[Budget], at: datetime) -> None:
        """Give back what a creation reserved in the period of `at` (nothing if it did not)."""
        if self.ledger is None:
            return
        for budget in budgets:
            with suppress(ReservationNotFound):
                self.ledger.release(reservation_id(key, budget, window(budget.period, at)))

    def reserve(self, budget: str, reservation_id: str, amount: Decimal, now: datetime) -> bool:
        """Reserve `amount` of new spend against what is left of the budget, atomically:
        the ledger's limit is the amount less the actual spend (lake or cloud, the higher)."""
        found = self._by_name[budget]
        period = window(found.period, now)
        actual = self.spend.spent(found, period, self.spend.lake(now)).actual
        key = ledger_key(found, period)
        return self._ledger().reserve(key, reservation_id, amount, found.amount - actual)

    def settle(self, reservation_id: str, cost: Decimal) -> bool:
        return self._ledger().settle(reservation_id, cost)

    def release(self, reservation_id: str) -> bool:
        return self._ledger().release(reservation_id)

    def _ledger(self) -> ReservationLedger:
        if self.ledger is None:
            raise RuntimeError("this budget service has no reservation ledger")
        return self.ledger


def ledger_key(budget: Budget, period: Window) -> str:
    return f"{budget.name}#{period.key}"


def reservation_id(key: str, budget: Budget, period: Window) -> str:
    """The reservation a creation makes: one per resource, budget and period."""
    return f"created#{key}#{ledger_key(budget, period)}"
