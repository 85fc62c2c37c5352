"""Budget state on a store of records with conditional writes (Azure Table, Firestore).

Neither REST store offers DynamoDB's multi-item transactions over plain JSON, so every change
here touches exactly one record, guarded by the version read (an ETag, an updateTime) or by
its absence. A writer that loses a race re-reads and decides again. The records, by kind:

    rate         one per priced resource: Rate, Currency, Budgets (JSON list), Running (bool),
                 Since (ISO 8601), Reserved (JSON list: budgets whose ledger holds its cost)
    signal       one per budget and period: Actual, Forecast (decimal strings), only raised
    ledger       one per ledger: Committed (decimal string), Reservations (JSON object of
                 reservation id -> {amount, state, cost}); all its reservations live in it,
                 so a grant, a settlement and a release are each one conditional write
    reservation  one per reservation id: Ledger, to find the ledger that holds it

A budget's running resources are the `rate` records with Running true (one query), each
counted in the budgets it lists. Keeping reservations in their ledger's record bounds a ledger
(one budget and period) to what one record holds: Table storage's 64 KiB string property is
some 600 reservations, Firestore's 1 MiB document far more.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Protocol

import orjson

from costplane.budgets.ports import (
    RateEntry,
    ReservationNotFound,
    ReservationState,
    SignalFigures,
)

MAX_ATTEMPTS = 20
RATE, SIGNAL, LEDGER, RESERVATION = "rate", "signal", "ledger", "reservation"
Fields = dict[str, str | bool]


@dataclass(frozen=True, slots=True)
class Record:
    fields: Fields
    version: str


class Records(Protocol):
    """One kind of record per `kind`, addressed by `key`; what the budget state asks of a store."""

    def read(self, kind: str, key: str) -> Record | None: ...

    def create(self, kind: str, key: str, fields: Fields) -> bool:
        """Write a record only if absent; False when it exists."""
        ...

    def replace(self, kind: str, key: str, fields: Fields, version: str) -> bool:
        """Write a record only if still at `version`; False when it changed or went away."""
        ...

    def put(self, kind: str, key: str, fields: Fields) -> None:
        """Write a record whatever it held."""
        ...

    def delete(self, kind: str, key: str) -> bool:
        """Delete a record; False when there was none."""
        ...

    def running(self) -> list[Fields]:
        """The `rate` records with Running true."""
        ...


class RecordBudgetState:
    """RunRateStore, SignalStore and ReservationLedger over `records`."""

    def __init__(self, records: Records) -> None:
        self.records = records

    # RunRateStore ------------------------------------------------------------------------

    def put_rate(self, key: str, entry: RateEntry) -> None:
        self.records.put(RATE, key, _rate_fields(key, entry))

    def set_running(self, key: str, running: bool, at: datetime) -> bool:
        for _ in range(MAX_ATTEMPTS):
            held = self.records.read(RATE, key)
            if held is None:
                return False
            if held.fields["Running"] == running:
                return True
            changed = {**held.fields, "Running": running, "Since": at.isoformat(), "Reserved": "[]"}
            if self.records.replace(RATE, key, changed, held.version):
                return True
        raise RuntimeError(f"resource {key!r} still changing after {MAX_ATTEMPTS} attempts")

    def remove_rate(self, key: str) -> bool:
        return self.records.delete(RATE, key)

    def running_rates(self, budgets: Sequence[str]) -> Mapping[str, list[RateEntry]]:
        running = self.records.running()
        found: dict[str, list[RateEntry]] = {budget: [] for budget in budgets}
        for fields in running:
            reserved = _strings(fields["Reserved"])
            for budget in _strings(fields["Budgets"]):
                if budget in found:
                    found[budget].append(
                        RateEntry(
                            Decimal(str(fields["Rate"])),
                            str(fields["Currency"]),
                            (budget,),
                            True,
                            datetime.fromisoformat(str(fields["Since"])),
                            (budget,) if budget in reserved else (),
                        )
                    )
        return found

    # SignalStore -------------------------------------------------------------------------

    def record_signal(self, budget: str, period: str, figures: SignalFigures) -> None:
        key = _signal_key(budget, period)
        for _ in range(MAX_ATTEMPTS):
            held = self.records.read(SIGNAL, key)
            old = _figures(held.fields) if held else SignalFigures()
            raised = SignalFigures(
                _higher(old.actual, figures.actual), _higher(old.forecast, figures.forecast)
            )
            if held is not None and raised == old:
                return
            fields: Fields = {"Budget": budget, "Period": period, **_figure_fields(raised)}
            if held is None:
                if self.records.create(SIGNAL, key, fields):
                    return
            elif self.records.replace(SIGNAL, key, fields, held.version):
                return
        raise RuntimeError(f"signal {key!r} still changing after {MAX_ATTEMPTS} attempts")

    def signal_figures(self, budget: str, period: str) -> SignalFigures:
        held = self.records.read(SIGNAL, _signal_key(budget, period))
        return _figures(held.fields) if held else SignalFigures()

    # ReservationLedger -------------------------------------------------------------------

    def reserve(self, ledger: str, reservation_id: str, amount: Decimal, limit: Decimal) -> bool:
        if amount <= 0:
            raise ValueError(f"a reservation must be positive, not {amount}")
        indexed = False
        for _ in range(MAX_ATTEMPTS):
            held = self.records.read(LEDGER, ledger)
            book = _Book.of(held)
            earlier = book.reservations.get(reservation_id)
            if earlier is not None:
                return earlier["state"] != ReservationState.RELEASED
            if book.committed + amount > limit:
                return False
            if not indexed:
                self.records.create(RESERVATION, reservation_id, {"Ledger": ledger})
                indexed = True
            book.reservations[reservation_id] = {
                "amount": str(amount),
                "state": ReservationState.RESERVED.value,
            }
            book.committed += amount
            if self._write(ledger, book.fields(ledger), held):
                return True
        raise RuntimeError(f"ledger {ledger!r} still changing after {MAX_ATTEMPTS} attempts")

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
        ledger = str(index.fields["Ledger"])
        for _ in range(MAX_ATTEMPTS):
            held = self.records.read(LEDGER, ledger)
            book = _Book.of(held)
            reservation = book.reservations.get(reservation_id)
            if reservation is None:
                raise ReservationNotFound(reservation_id)
            if reservation["state"] != ReservationState.RESERVED:
                return False
            book.committed += cost - Decimal(reservation["amount"])
            reservation.update(state=state.value, cost=str(cost))
            if self._write(ledger, book.fields(ledger), held):
                return True
        raise RuntimeError(f"ledger {ledger!r} still changing after {MAX_ATTEMPTS} attempts")

    def _write(self, ledger: str, fields: Fields, held: Record | None) -> bool:
        if held is None:
            return self.records.create(LEDGER, ledger, fields)
        return self.records.replace(LEDGER, ledger, fields, held.version)


@dataclass(slots=True)
class _Book:
    """A ledger record, decoded."""

    committed: Decimal
    reservations: dict[str, dict[str, str]]

    @classmethod
    def of(cls, held: Record | None) -> _Book:
        if held is None:
            return cls(Decimal(0), {})
        reservations: dict[str, dict[str, str]] = orjson.loads(str(held.fields["Reservations"]))
        return cls(Decimal(str(held.fields["Committed"])), reservations)

    def fields(self, ledger: str) -> Fields:
        return {
            "Ledger": ledger,
            "Committed": str(self.committed),
            "Reservations": orjson.dumps(self.reservations, option=orjson.OPT_SORT_KEYS).decode(),
        }


def _rate_fields(key: str, entry: RateEntry) -> Fields:
    return {
        "Key": key,
        "Rate": str(entry.rate),
        "Currency": entry.currency,
        "Budgets": orjson.dumps(list(entry.budgets)).decode(),
        "Running": entry.running,
        "Since": entry.since.isoformat(),
        "Reserved": orjson.dumps(list(entry.reserved)).decode(),
    }


def _strings(value: str | bool) -> list[str]:
    found: Any = orjson.loads(str(value))
    return [str(item) for item in found]


def _signal_key(budget: str, period: str) -> str:
    return f"{budget}#{period}"


def _figures(fields: Fields) -> SignalFigures:
    actual, forecast = (
        Decimal(str(fields[name])) if name in fields else None for name in ("Actual", "Forecast")
    )
    return SignalFigures(actual, forecast)


def _figure_fields(figures: SignalFigures) -> Fields:
    named = (("Actual", figures.actual), ("Forecast", figures.forecast))
    return {name: str(value) for name, value in named if value is not None}


def _higher(old: Decimal | None, new: Decimal | None) -> Decimal | None:
    if old is None or new is None:
        return new if old is None else old
    return max(old, new)
