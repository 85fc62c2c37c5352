"""Budget state that must survive a process, behind Protocols (SQLite locally, DynamoDB on AWS).

- RunRateStore: what each priced resource costs per hour, which budgets it counts in, and
  whether it is running; events write it, every view of a budget reads it.
- SignalStore: the latest figures cloud budget notifications reported, per budget and period.
- LakeSpend: what the lake (read by an adapter) says each budget has spent, and until when.
- ReservationLedger: atomic reservations of spend against a limit, settled or released later,
  so that concurrent requests cannot together commit more than the limit allows.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class RateEntry:
    """A priced resource: its hourly cost, the budgets it counts in, and since when it runs.

    `reserved` names the budgets whose ledger holds its cost from `since` (its creation) to
    the end of their period, which count that reservation instead of its rate. Starting or
    stopping the resource ends this: a store clears `reserved` when `running` changes.
    """

    rate: Decimal
    currency: str
    budgets: tuple[str, ...]
    running: bool
    since: datetime
    reserved: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LakeSpend:
    """What the lake says per budget: `actual` spend, and `through` when the rows end."""

    actual: Mapping[str, Decimal]
    through: Mapping[str, datetime] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class SignalFigures:
    """The highest spend cloud notifications reported for one budget and period."""

    actual: Decimal | None = None
    forecast: Decimal | None = None


class ReservationState(StrEnum):
    RESERVED = "reserved"
    SETTLED = "settled"
    RELEASED = "released"


@runtime_checkable
class RunRateStore(Protocol):
    def put_rate(self, key: str, entry: RateEntry) -> None:
        """Record (or replace) the resource `key`."""
        ...

    def set_running(self, key: str, running: bool, at: datetime) -> bool:
        """Start or stop a known resource (clearing `reserved` if it changes); False when `key`
        is unknown."""
        ...

    def remove_rate(self, key: str) -> bool:
        """Forget a deleted resource; False when `key` is unknown."""
        ...

    def running_rates(self, budgets: Sequence[str]) -> Mapping[str, list[RateEntry]]:
        """The running resources of each of `budgets`."""
        ...


@runtime_checkable
class SignalStore(Protocol):
    def record_signal(self, budget: str, period: str, figures: SignalFigures) -> None:
        """Keep the higher of the stored and the new figure, field by field."""
        ...

    def signal_figures(self, budget: str, period: str) -> SignalFigures:
        """What was recorded for `budget` in `period` (empty figures when nothing was)."""
        ...


@runtime_checkable
class ReservationLedger(Protocol):
    def reserve(self, ledger: str, reservation_id: str, amount: Decimal, limit: Decimal) -> bool:
        """Atomically add `amount` to the ledger if the total stays within `limit`.

        Idempotent per `reservation_id`: a retried call answers what the first one did
        (True while the reservation is reserved or settled) and never reserves twice.
        A refusal is not recorded, so a later call may succeed once there is room.
        """
        ...

    def settle(self, reservation_id: str, cost: Decimal) -> bool:
        """Replace a reservation's amount by what was really spent; False unless reserved."""
        ...

    def release(self, reservation_id: str) -> bool:
        """Give a reservation's amount back (the action failed); False unless reserved."""
        ...

    def committed(self, ledger: str) -> Decimal:
        """Reserved plus settled spend in the ledger."""
        ...


class ReservationNotFound(LookupError):
    """Settle or release of a reservation that was never granted."""
