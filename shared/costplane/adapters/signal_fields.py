"""Reading cloud budget notifications: amounts of money in the clouds' spellings, shares, and
the rejection a malformed notification gets (counted as `invalid_budget_signal`, never
half-applied)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from costplane.domain.errors import EventRejected, Rejection
from costplane.domain.events import Provider


def rejected(reason: str, provider: Provider, signal_id: str | None = None) -> EventRejected:
    return EventRejected(
        Rejection.INVALID_BUDGET_SIGNAL,
        reason,
        provider=provider.value,
        event_id=signal_id,
        event_name="budget",
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
