"""The admission check a gateway calls before a model request: reserve the request's
worst-case cost against every budget in scope, atomically, and settle to the actual cost after.

The worst case is the input tokens (or an estimate of them) plus the maximum output tokens at
the model's price in the price book. A price the book does not have is a refusal (fail closed),
never a guess; so is a budget kept in another currency than the price. A reservation never
settled expires after its TTL and gives its amount back; a refusal first expires what is
overdue, so that abandoned reservations cannot keep refusing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field

from costplane.ai.ports import (
    AdmissionLedger,
    BudgetLimits,
    Caller,
    Hold,
    HoldState,
    Refused,
    ReservationUnknown,
)
from costplane.domain.ai import AiVendor, PriceBook, TokenType

DEFAULT_TTL = timedelta(minutes=15)
RefusalReason = Literal["over-budget", "unpriced", "currency", "expired"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Attribution(_Model):
    """Whose request it is, as budget scopes match it."""

    team: str | None = Field(None, min_length=1, description="The owning team (tag `team`).")
    account: str | None = Field(
        None, min_length=1, description="OpenAI project, Anthropic workspace or cloud account."
    )
    api_key: str | None = Field(None, min_length=1, description="The API key id (tag `api-key`).")
    tags: dict[str, str] = Field(default_factory=dict, description="Further tags of the caller.")


class AdmissionRequest(_Model):
    """One model request a gateway is about to send."""

    request_id: str = Field(
        min_length=1,
        max_length=200,
        pattern=r"^[A-Za-z0-9._:@/-]+$",
        description="Idempotency key.",
    )
    vendor: AiVendor
    model: str = Field(min_length=1, max_length=200)
    service_tier: str | None = None
    context_window: str | None = None
    input_tokens: int = Field(ge=0, description="Input tokens, or an upper estimate of them.")
    max_output_tokens: int = Field(ge=0, description="The request's output token limit.")
    attribution: Attribution = Field(default_factory=Attribution)


class Usage(_Model):
    """What a request really used: tokens per token type, and the cost if the gateway knows it
    (else the tokens are priced; without tokens, a tokens budget keeps the reserved maximum)."""

    tokens: dict[TokenType, int] = Field(default_factory=dict)
    cost: Decimal | None = Field(None, ge=0)


@dataclass(frozen=True, slots=True)
class Refusal:
    reason: RefusalReason
    message: str
    budget: str | None = None
    limit: Decimal | None = None
    committed: Decimal | None = None


@dataclass(frozen=True, slots=True)
class Admission:
    """The answer to a reserve: admitted with what it holds, or refused and why."""

    request_id: str
    admitted: bool
    reserved: Decimal
    currency: str
    budgets: tuple[str, ...]
    expires: datetime | None = None
    refusal: Refusal | None = None


@dataclass(frozen=True, slots=True)
class Settlement:
    reservation_id: str
    cost: Decimal
    reserved: Decimal
    currency: str
    budgets: tuple[str, ...]
    priced: bool
    """False when a token type of the usage has no price: the reserved maximum is kept."""


class AdmissionService:
    def __init__(
        self,
        ledger: AdmissionLedger,
        budgets: BudgetLimits,
        prices: PriceBook,
        clock: Callable[[], datetime],
        ttl: timedelta = DEFAULT_TTL,
    ) -> None:
        self.ledger = ledger
        self.budgets = budgets
        self.prices = prices
        self.clock = clock
        self.ttl = ttl

    def reserve(self, request: AdmissionRequest) -> Admission:
        earlier = self.ledger.find(request.request_id)
        if earlier is not None:
            return _answer(request.request_id, earlier)
        priced = self.worst_case(request)
        if isinstance(priced, Refusal):
            return _refused(request.request_id, Decimal(0), "", priced)
        amount, currency = priced
        now = self.clock()
        limits = tuple(self.budgets.limits(_caller(request), now))
        if other := [lim for lim in limits if lim.unit == "money" and lim.currency != currency]:
            message = (
                f"budget {other[0].budget!r} is in {other[0].currency}, the price in {currency}"
            )
            return _refused(request.request_id, amount, currency, Refusal("currency", message))
        detail = orjson.dumps(_pricing(request)).decode()
        tokens = request.input_tokens + request.max_output_tokens
        hold = Hold(request.request_id, amount, currency, limits, now + self.ttl, detail, tokens)
        outcome = self.ledger.reserve(hold)
        if isinstance(outcome, Refused) and self.ledger.expire(now):
            outcome = self.ledger.reserve(hold)
        if isinstance(outcome, Refused):
            return _refused(request.request_id, amount, currency, _over(outcome, hold))
        return _answer(request.request_id, outcome)

    def settle(self, reservation_id: str, usage: Usage) -> Settlement:
        held = self.ledger.find(reservation_id)
        if held is None:
            raise ReservationUnknown(reservation_id)
        cost = usage.cost if usage.cost is not None else self.actual_cost(held, usage)
        used = sum(usage.tokens.values()) if usage.tokens else held.tokens
        settled = self.ledger.settle(reservation_id, held.amount if cost is None else cost, used)
        return Settlement(
            reservation_id,
            settled.cost if settled.cost is not None else held.amount,
            held.amount,
            held.currency,
            tuple(lim.budget for lim in held.limits),
            priced=cost is not None,
        )

    def worst_case(self, request: AdmissionRequest) -> tuple[Decimal, str] | Refusal:
        """Input plus maximum output at the model's price, and its currency."""
        wanted = {
            TokenType.INPUT: request.input_tokens,
            TokenType.OUTPUT: request.max_output_tokens,
        }
        return self._priced(_pricing(request), wanted)

    def actual_cost(self, held: Hold, usage: Usage) -> Decimal | None:
        """The usage at the price the reservation was made for; None if a part has no price."""
        priced = self._priced(orjson.loads(held.detail), usage.tokens)
        return None if isinstance(priced, Refusal) else priced[0]

    def _priced(
        self, pricing: Mapping[str, str | None], tokens: Mapping[TokenType, int]
    ) -> tuple[Decimal, str] | Refusal:
        vendor, model = AiVendor(str(pricing["vendor"])), str(pricing["model"])
        total, currencies = Decimal(0), set()
        for token_type, count in tokens.items():
            if count == 0:
                continue
            price = self.prices.lookup(
                vendor, model, token_type, pricing["service_tier"], pricing["context_window"]
            )
            if price is None:
                message = f"no price for {vendor.value} {model} {token_type.value} tokens"
                return Refusal("unpriced", f"{message} in price book {self.prices.version}")
            total += price.unit_price * count
            currencies.add(price.currency)
        if len(currencies) > 1:
            return Refusal("currency", f"{vendor.value} {model} is priced in {sorted(currencies)}")
        return total, currencies.pop() if currencies else "USD"


def _pricing(request: AdmissionRequest) -> dict[str, str | None]:
    return {
        "vendor": request.vendor.value,
        "model": request.model,
        "service_tier": request.service_tier,
        "context_window": request.context_window,
    }


def _caller(request: AdmissionRequest) -> Caller:
    who = request.attribution
    tags = dict(who.tags)
    if who.team:
        tags["team"] = who.team
    if who.api_key:
        tags["api-key"] = who.api_key
    tags["model"] = request.model
    return Caller(request.vendor, request.model, who.account or "", tags)


def _over(refused: Refused, hold: Hold) -> Refusal:
    limit = refused.limit
    unit = limit.currency if limit.unit == "money" else "tokens"
    message = (
        f"budget {limit.budget!r} has {_plain(limit.amount - refused.committed)} {unit} left of "
        f"{_plain(limit.amount)} in {limit.ledger.rsplit('#', 1)[-1]}; the request may take "
        f"{_plain(hold.held(limit))}"
    )
    return Refusal("over-budget", message, limit.budget, limit.amount, refused.committed)


def _plain(amount: Decimal) -> str:
    return format(amount.normalize(), "f")


def _answer(request_id: str, held: Hold) -> Admission:
    budgets = tuple(lim.budget for lim in held.limits)
    if held.state is HoldState.EXPIRED:
        refusal = Refusal("expired", f"reservation {request_id!r} expired; use a new request id")
        return _refused(request_id, held.amount, held.currency, refusal, budgets)
    return Admission(request_id, True, held.amount, held.currency, budgets, held.expires)


def _refused(
    request_id: str,
    amount: Decimal,
    currency: str,
    refusal: Refusal,
    budgets: tuple[str, ...] = (),
) -> Admission:
    return Admission(request_id, False, amount, currency, budgets, refusal=refusal)
