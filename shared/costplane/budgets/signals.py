"""Budget notifications from the clouds (AWS Budgets, Azure budget alerts, GCP budgets) as one
typed `BudgetSignal`, through a registry of parsers the cloud adapters fill.

This registry is separate from the ResourceEvent envelope registry, whose parsers reject
these payloads as `not_a_resource_event`: the runner tries `parse_signal` on what they reject.
`parse_signal` returns None for a payload no parser recognises, and raises EventRejected with
a stable code (`invalid_budget_signal`, `missing_field`, `invalid_field`) for one a parser
recognises but cannot read, so a malformed notification is counted, never half-applied.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from costplane.domain.errors import EventRejected
from costplane.domain.events import Provider

INVALID_SIGNAL = "invalid_budget_signal"


class SpendBasis(StrEnum):
    ACTUAL = "actual"
    FORECAST = "forecast"


class BudgetSignal(BaseModel):
    """What a cloud budget reported: `spent` so far (or forecast) against `amount`.

    `budget` is the cloud budget's own name (matched against a costplane budget's `signals`);
    `threshold` is the percentage of `amount` whose crossing fired the notification.
    """

    model_config = ConfigDict(frozen=True)

    provider: Provider
    budget: str
    scope: str | None = None
    amount: Decimal | None = None
    spent: Decimal
    basis: SpendBasis = SpendBasis.ACTUAL
    currency: str
    threshold: Decimal | None = None
    period: str | None = None
    period_start: datetime | None = None
    observed_at: datetime | None = None
    signal_id: str | None = None


Matcher = Callable[[Any], bool]
SignalParser = Callable[[Any], BudgetSignal]


@dataclass(frozen=True, slots=True)
class SignalSource:
    name: str
    matches: Matcher
    parse: SignalParser


_SOURCES: list[SignalSource] = []


def register_signal(name: str, matches: Matcher) -> Callable[[SignalParser], SignalParser]:
    """Register `parse` for payloads on which `matches` is true. Names are unique."""

    def decorator(parse: SignalParser) -> SignalParser:
        if any(s.name == name for s in _SOURCES):
            raise ValueError(f"budget signal parser {name!r} is already registered")
        _SOURCES.append(SignalSource(name, matches, parse))
        return parse

    return decorator


def registered_signals() -> list[str]:
    return [s.name for s in _SOURCES]


def parse_signal(document: Any) -> BudgetSignal | None:
    """The budget signal in a decoded payload; None when it is not a budget notification."""
    for source in _SOURCES:
        if source.matches(document):
            return source.parse(document)
    return None


def rejected(reason: str, provider: Provider, signal_id: str | None = None) -> EventRejected:
    return EventRejected(
        INVALID_SIGNAL, reason, provider=provider.value, event_id=signal_id, event_name="budget"
    )


_CURRENCY_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR"}
_MONEY = re.compile(r"^\s*(?P<code>[A-Z]{3})?\s*(?P<symbol>[$€£¥₹])?\s*(?P<amount>-?[\d,]*\.?\d+)")


def money(text: Any, path: str, provider: Provider) -> tuple[Decimal, str | None]:
    """`$11,111.00`, `USD 5.00` or `1111.32` as (amount, currency code or None)."""
    if isinstance(text, int | float) and not isinstance(text, bool):
        return Decimal(str(text)), None
    found = _MONEY.match(text) if isinstance(text, str) else None
    if found is None:
        raise rejected(f"{path} {text!r} is not an amount of money", provider)
    try:
        amount = Decimal(found["amount"].replace(",", ""))
    except InvalidOperation:
        raise rejected(f"{path} {text!r} is not an amount of money", provider) from None
    symbol = found["symbol"]
    return amount, found["code"] or (_CURRENCY_SYMBOLS[symbol] if symbol else None)


def percent_of(part: Decimal | None, whole: Decimal | None) -> Decimal | None:
    """`part` as a percentage of `whole`; None when either is unknown or `whole` is zero."""
    if part is None or not whole:
        return None
    return part * 100 / whole
