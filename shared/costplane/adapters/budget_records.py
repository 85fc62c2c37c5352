"""RunRateStore, SignalStore and ReservationLedger over records (adapters.records), for every
backend.

No backend is asked for more than one record per write, so every change here touches exactly
one record, guarded by the version read or by its absence. A writer that loses a race backs
off, re-reads and decides again. The records, by kind:

    rate         one per priced resource: key, rate, currency, budgets (JSON list), running
                 (bool), since (ISO 8601), reserved (JSON list: budgets whose ledger holds its
                 cost)
    signal       one per budget and period: actual, forecast (decimal strings), only raised
    ledger       one per ledger: committed (decimal string), reservations (JSON object of
                 reservation id -> {amount, state, cost}); all its reservations live in it,
                 so a grant, a settlement and a release are each one conditional write
    reservation  one per reservation id: ledger, to find the ledger that holds it

A budget's running resources are the `rate` records with running true (one query), each
counted in the budgets it lists. Keeping reservations in their ledger's record bounds a ledger
(one budget and period) to what one record holds: Table storage's 64 KiB string property is
some 600 reservations, DynamoDB's 400 KB item some 3,000, Firestore's 1 MiB document more.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import orjson

from costplane.adapters.records import RUNNING, Fields, Record, RunningRecords, Value
from costplane.budgets.ports import (
    RateEntry,
    ReservationNotFound,
    ReservationState,
    SignalFigures,
)

MAX_ATTEMPTS = 50  # an attempt is lost only to another writer's success: 50 in a row is a livelock
BACKOFF_SECONDS = 0.005
RATE, SIGNAL, LEDGER, RESERVATION = "rate", "signal", "ledger", "reservation"


class RecordBudgetState:
    """RunRateStore, SignalStore and ReservationLedger over `records`."""

    def __init__(self, records: RunningRecords) -> None:
        self.records = records

    # RunRateStore ------------------------------------------------------------------------

    def put_rate(self, key: str, entry: RateEntry) -> None:
        self.records.put(RATE, key, _rate_fields(key, entry))

    def set_running(self, key: str, running: bool, at: datetime) -> bool:
        def attempt() -> bool | None:
            held = self.records.read(RATE, key)
            if held is None:
                return False
            if held.fields[RUNNING] == running:
                return True
            changed = {**held.fields, RUNNING: running, "since": at.isoformat(), "reserved": "[]"}
            return self.records.replace(RATE, key, changed, held.version) or None

        return _decided(f"resource {key!r}", attempt)

    def remove_rate(self, key: str) -> bool:
        return self.records.delete(RATE, key)

    def running_rates(self, budgets: Sequence[str]) -> Mapping[str, list[RateEntry]]:
        running = self.records.running(RATE)
        found: dict[str, list[RateEntry]] = {budget: [] for budget in budgets}
        for fields in running:
            reserved = _strings(fields["reserved"])
            for budget in _strings(fields["budgets"]):
                if budget in found:
                    found[budget].append(
                        RateEntry(
                            Decimal(str(fields["rate"])),
                            str(fields["currency"]),
                            (budget,),
                            True,
                            datetime.fromisoformat(str(fields["since"])),
                            (budget,) if budget in reserved else (),
                        )
                    )
        return found

    # SignalStore -------------------------------------------------------------------------

    def record_signal(self, budget: str, period: str, figures: SignalFigures) -> None:
        key = _signal_key(budget, period)

        def attempt() -> bool | None:
            held = self.records.read(SIGNAL, key)
            old = _figures(held.fields) if held else SignalFigures()
            raised = SignalFigures(
                _higher(old.actual, figures.actual), _higher(old.forecast, figures.forecast)
            )
            if held is not None and raised == old:
                return True
            fields: Fields = {"budget": budget, "period": period, **_figure_fields(raised)}
            return self._write(SIGNAL, key, fields, held) or None

        _decided(f"signal {key!r}", attempt)

    def signal_figures(self, budget: str, period: str) -> SignalFigures:
        held = self.records.read(SIGNAL, _signal_key(budget, period))
        return _figures(held.fields) if held else SignalFigures()

    # ReservationLedger -------------------------------------------------------------------

    def reserve(self, ledger: str, reservation_id: str, amount: Decimal, limit: Decimal) -> bool:
        if amount <= 0:
            raise ValueError(f"a reservation must be positive, not {amount}")
        indexed = False

        def attempt() -> bool | None:
            nonlocal indexed
            held = self.records.read(LEDGER, ledger)
            book = _Book.of(held)
            earlier = book.reservations.get(reservation_id)
            if earlier is not None:
                return earlier["state"] != ReservationState.RELEASED
            if book.committed + amount > limit:
                return False
            if not indexed:
                self.records.create(RESERVATION, reservation_id, {"ledger": ledger})
                indexed = True
            book.reservations[reservation_id] = {
                "amount": str(amount),
                "state": ReservationState.RESERVED.value,
            }
            book.committed += amount
            return self._write(LEDGER, ledger, book.fields(ledger), held) or None

        return _decided(f"ledger {ledger!r}", attempt)

    def settle(self, reservation_id: str, cost: Decimal) -> bool:
        return self._close(reservation_id, ReservationState.SETTLED, cost)

    def release(self, reservation_id: str) -> bool:
        return self._close(reservation_id, ReservationState.RELEASED, Decimal(0))

    def committed(self, ledger: str) -> Decimal:
        return _Book.of(self.records.read(LEDGER, ledger)).committed

    def _close(self, reservation_id: str, state: ReservationState, cost: Decimal) -> bool:
        index = self.records.read(RESERVATION, reservation_id)
        if index is None:
            raise ReservationNotFound(reservation_id)
        ledger = str(index.fields["ledger"])

        def attempt() -> bool | None:
            held = self.records.read(LEDGER, ledger)
            book = _Book.of(held)
            reservation = book.reservations.get(reservation_id)
            if reservation is None:
                raise ReservationNotFound(reservation_id)
            if reservation["state"] != ReservationState.RESERVED:
                return False
            book.committed += cost - Decimal(reservation["amount"])
            reservation.update(state=state.value, cost=str(cost))
            return self._write(LEDGER, ledger, book.fields(ledger), held) or None

        return _decided(f"ledger {ledger!r}", attempt)

    def _write(self, kind: str, key: str, fields: Fields, held: Record | None) -> bool:
        """Create the record if it was absent, else replace it if still as `held`."""
        if held is None:
            return self.records.create(kind, key, fields)
        return self.records.replace(kind, key, fields, held.version)


def _decided(what: str, attempt: Callable[[], bool | None]) -> bool:
    """What `attempt` decides, run again while it loses a race (None) to another writer, with
    jittered backoff so that contending writers spread out instead of colliding again."""
    for tries in range(MAX_ATTEMPTS):
        decided = attempt()
        if decided is not None:
            return decided
        time.sleep(random.uniform(0, BACKOFF_SECONDS * 2 ** min(tries, 6)))
    raise RuntimeError(f"{what} still changing after {MAX_ATTEMPTS} attempts")


@dataclass(slots=True)
class _Book:
    """A ledger record, decoded."""

    committed: Decimal
    reservations: dict[str, dict[str, str]]

    @classmethod
    def of(cls, held: Record | None) -> _Book:
        if held is None:
            return cls(Decimal(0), {})
        reservations: dict[str, dict[str, str]] = orjson.loads(str(held.fields["reservations"]))
        return cls(Decimal(str(held.fields["committed"])), reservations)

    def fields(self, ledger: str) -> Fields:
        return {
            "ledger": ledger,
            "committed": str(self.committed),
            "reservations": orjson.dumps(self.reservations, option=orjson.OPT_SORT_KEYS).decode(),
        }


def _rate_fields(key: str, entry: RateEntry) -> Fields:
    return {
        "key": key,
        "rate": str(entry.rate),
        "currency": entry.currency,
        "budgets": orjson.dumps(list(entry.budgets)).decode(),
        RUNNING: entry.running,
        "since": entry.since.isoformat(),
        "reserved": orjson.dumps(list(entry.reserved)).decode(),
    }


def _strings(value: Value) -> list[str]:
    found: Any = orjson.loads(str(value))
    return [str(item) for item in found]


def _signal_key(budget: str, period: str) -> str:
    return f"{budget}#{period}"


def _figures(fields: Fields) -> SignalFigures:
    actual, forecast = (
        Decimal(str(fields[name])) if name in fields else None for name in ("actual", "forecast")
    )
    return SignalFigures(actual, forecast)


def _figure_fields(figures: SignalFigures) -> Fields:
    named = (("actual", figures.actual), ("forecast", figures.forecast))
    return {name: str(value) for name, value in named if value is not None}


def _higher(old: Decimal | None, new: Decimal | None) -> Decimal | None:
    if old is None or new is None:
        return new if old is None else old
    return max(old, new)
