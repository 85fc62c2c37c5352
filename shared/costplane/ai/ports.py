"""What admission asks of the rest: the budgets that cover a request, and a ledger that
reserves against all of them in one atomic step (SQLite locally, DynamoDB on AWS).

A ledger holds one counter per budget and period (`committed`: outstanding reservations plus
settled costs) and one record per reservation. A reservation adds its amount to every counter
it names only if each stays within its limit, in one transaction, so concurrent reservations
never together pass a limit; settling replaces the amount by the actual cost, and expiring a
reservation never settled gives its amount back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from costplane.domain.ai import AiVendor


@dataclass(frozen=True, slots=True)
class Limit:
    """One budget's counter for the current period, and what it may hold."""

    budget: str
    ledger: str
    amount: Decimal
    currency: str


@dataclass(frozen=True, slots=True)
class Caller:
    """Who asks, as budget scopes see it: the vendor and model called, the account (OpenAI
    project, Anthropic workspace, cloud account), and tags (team, API key, …)."""

    vendor: AiVendor
    model: str
    account: str
    tags: dict[str, str]


class HoldState(StrEnum):
    RESERVED = "reserved"
    SETTLED = "settled"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Hold:
    """A reservation: `amount` against every limit, until `expires` unless settled."""

    reservation_id: str
    amount: Decimal
    currency: str
    limits: tuple[Limit, ...]
    expires: datetime
    detail: str
    """What settling needs to price the actual usage (vendor, model, tier), as JSON."""
    state: HoldState = HoldState.RESERVED
    cost: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Refused:
    """The first limit a reservation would have passed, and what its counter held."""

    limit: Limit
    committed: Decimal


class AdmissionLedger(Protocol):
    def reserve(self, hold: Hold) -> Hold | Refused:
        """Add `hold.amount` to every counter of `hold.limits` if each stays within its limit,
        atomically; the hold as stored, or the limit that refused it. Idempotent per
        reservation id: a retry answers the hold the first call stored, never reserving twice.
        A refusal is not stored."""
        ...

    def settle(self, reservation_id: str, cost: Decimal) -> Hold:
        """Replace the reservation's amount by `cost` in every counter (add `cost` if it had
        expired); a settled one is answered as it is. ReservationUnknown if never granted."""
        ...

    def find(self, reservation_id: str) -> Hold | None: ...

    def expire(self, now: datetime) -> int:
        """Give back the amounts of reservations still reserved after they expired; how many."""
        ...

    def committed(self, ledger: str) -> Decimal: ...


class BudgetLimits(Protocol):
    def limits(self, caller: Caller, at: datetime) -> Sequence[Limit]:
        """The budgets whose scope covers `caller`, with their counters for the period of `at`."""
        ...


class ReservationUnknown(LookupError):
    """Settling a reservation that was never granted (or whose id is wrong)."""
