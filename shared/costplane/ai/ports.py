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
from typing import Literal, Protocol

from costplane.domain.ai import AiVendor

LimitUnit = Literal["money", "tokens"]


@dataclass(frozen=True, slots=True)
class Limit:
    """One budget's counter for the current period, and what it may hold: money in
    `currency`, or AI tokens (every token type counted)."""

    budget: str
    ledger: str
    amount: Decimal
    currency: str
    unit: LimitUnit = "money"


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
    """A reservation: `amount` (money) or `tokens` against every limit, as its unit says,
    until `expires` unless settled to `cost` and `used` tokens."""

    reservation_id: str
    amount: Decimal
    currency: str
    limits: tuple[Limit, ...]
    expires: datetime
    detail: str
    """What settling needs to price the actual usage (vendor, model, tier), as JSON."""
    tokens: int = 0
    state: HoldState = HoldState.RESERVED
    cost: Decimal | None = None
    used: int | None = None

    def held(self, limit: Limit) -> Decimal:
        """What the hold counts in `limit`'s unit while reserved."""
        return self.amount if limit.unit == "money" else Decimal(self.tokens)

    def spent(self, limit: Limit) -> Decimal:
        """What the settled hold counts in `limit`'s unit."""
        if limit.unit == "money":
            return self.amount if self.cost is None else self.cost
        return Decimal(self.tokens if self.used is None else self.used)


@dataclass(frozen=True, slots=True)
class Refused:
    """The first limit a reservation would have passed, and what its counter held."""

    limit: Limit
    committed: Decimal


class AdmissionLedger(Protocol):
    def reserve(self, hold: Hold) -> Hold | Refused:
        """Add what the hold counts in each of `hold.limits` (`Hold.held`) to its counter if
        each stays within its limit,
        atomically; the hold as stored, or the limit that refused it. Idempotent per
        reservation id: a retry answers the hold the first call stored, never reserving twice.
        A refusal is not stored."""
        ...

    def settle(self, reservation_id: str, cost: Decimal, used: int) -> Hold:
        """Replace what the reservation holds by `cost` (money) or `used` (tokens) in every
        counter (add them if it had expired); a settled one is answered as it is.
        ReservationUnknown if never granted."""
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
