"""Exact money: Decimal amounts, ISO 4217 minor units, and largest-remainder rounding.

Amounts are counted in integer minor units (cents) wherever they are split, so every split
gives back exactly what it was given: the parts are the exact shares floored, plus one unit to
the parts with the largest remainders until the total is reached (Hamilton's method). Ties
go to the earlier part, so the same input always gives the same parts.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

DEFAULT_MINOR_UNIT = 2
"""Exponent used for a currency this table does not list (most currencies have cents)."""

MINOR_UNITS: dict[str, int] = {
    **dict.fromkeys(
        ("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "UYI"), 0
    ),
    **dict.fromkeys(("VND", "VUV", "XAF", "XOF", "XPF"), 0),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
    **dict.fromkeys(("CLF", "UYW"), 4),
    **dict.fromkeys(
        (
            "AED", "ARS", "AUD", "BRL", "CAD", "CHF", "CNY", "COP", "CZK", "DKK", "EGP", "EUR",
            "GBP", "HKD", "HUF", "IDR", "ILS", "INR", "MXN", "MYR", "NOK", "NZD", "PHP", "PKR",
            "PLN", "QAR", "RON", "RUB", "SAR", "SEK", "SGD", "THB", "TRY", "TWD", "UAH", "USD",
            "ZAR",
        ),
        2,
    ),
}  # fmt: skip
"""ISO 4217 exponents: how many decimal places the currency's smallest unit has."""


def minor_unit(currency: str) -> int:
    """Decimal places of `currency`'s minor unit (JPY 0, USD 2, KWD 3); 2 when unlisted."""
    return MINOR_UNITS.get(currency.upper(), DEFAULT_MINOR_UNIT)


def to_minor(amount: Decimal, currency: str) -> int:
    """`amount` in whole minor units, rounded half to even (the unbiased rounding)."""
    numerator, places = _ratio(amount)
    return _round_half_even(numerator * 10 ** minor_unit(currency), 10**places)


def from_minor(units: int, currency: str) -> Decimal:
    """The Decimal amount of `units` minor units, with the currency's exponent (e.g. 12.30)."""
    return Decimal(f"{units}E-{minor_unit(currency)}")


def quantize(amount: Decimal, currency: str) -> Decimal:
    """`amount` rounded to the currency's minor unit."""
    return from_minor(to_minor(amount, currency), currency)


def apportion(units: int, weights: Sequence[Decimal | int]) -> list[int]:
    """Split `units` (may be negative) in proportion to `weights` (≥ 0, not all zero).

    The parts sum to `units` exactly; a zero weight gets zero; each part is within one unit
    of its exact share.
    """
    numerators = _common_scale([Decimal(w) for w in weights])
    if any(n < 0 for n in numerators):
        raise ValueError("weights must not be negative")
    total = sum(numerators)
    if total == 0:
        raise ZeroDivisionError("cannot apportion by weights that are all zero")
    parts = _largest_remainder([abs(units) * n for n in numerators], total, abs(units))
    return [-part for part in parts] if units < 0 else parts


def round_preserving_total(amounts: Sequence[Decimal], currency: str) -> list[int]:
    """Round each amount to minor units so the parts sum to the rounded exact total.

    Rounding each amount on its own can lose or invent cents (0.005 + 0.005 → 0.00 + 0.00);
    here the total is rounded once and the parts are fitted to it by largest remainder.
    """
    numerators = _common_scale(list(amounts))
    places = _places(amounts)
    scaled = [n * 10 ** minor_unit(currency) for n in numerators]
    target = _round_half_even(sum(scaled), 10**places)
    return _largest_remainder(scaled, 10**places, target)


def _largest_remainder(numerators: Sequence[int], denominator: int, target: int) -> list[int]:
    """Floor each numerator/denominator, then add one to the largest remainders up to target."""
    floors = [divmod(n, denominator) for n in numerators]
    parts = [q for q, _ in floors]
    missing = target - sum(parts)
    if not 0 <= missing <= len(parts):
        raise ArithmeticError(f"cannot reach {target} from {len(parts)} floored parts")
    by_remainder = sorted(range(len(parts)), key=lambda i: (-floors[i][1], i))
    for i in by_remainder[:missing]:
        parts[i] += 1
    return parts


def _round_half_even(numerator: int, denominator: int) -> int:
    """numerator/denominator rounded half to even, in integers (no Decimal context limits)."""
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2 == 1):
        return quotient + 1
    return quotient


def _ratio(amount: Decimal) -> tuple[int, int]:
    """(n, p) with amount == n / 10**p exactly and p ≥ 0."""
    if not amount.is_finite():
        raise ValueError(f"not a finite amount: {amount}")
    sign, digits, exponent = amount.as_tuple()
    assert isinstance(exponent, int)
    n = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
    if exponent >= 0:
        return n * 10**exponent, 0
    return n, -exponent


def _places(amounts: Sequence[Decimal]) -> int:
    return max((_ratio(a)[1] for a in amounts), default=0)


def _common_scale(amounts: Sequence[Decimal]) -> list[int]:
    """Each amount as an integer count of 10**-p, p being the most decimal places of any."""
    places = _places(amounts)
    return [n * 10 ** (places - p) for n, p in map(_ratio, amounts)]
