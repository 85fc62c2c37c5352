"""Exact money: minor units, and splits whose parts always add up to the whole."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from costplane.domain.money import (
    apportion,
    from_minor,
    minor_unit,
    quantize,
    round_preserving_total,
    to_minor,
)

amounts = st.decimals(min_value=-(10**9), max_value=10**9, places=10, allow_nan=False)
weights = st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False)


def test_minor_units_follow_iso_4217_with_cents_by_default() -> None:
    assert [minor_unit(c) for c in ("USD", "jpy", "KWD", "CLF", "XYZ")] == [2, 0, 3, 4, 2]


def test_to_minor_rounds_half_to_even() -> None:
    assert [to_minor(Decimal(a), "USD") for a in ("0.125", "0.135", "-0.125", "2.5E-1")] == [
        12,
        14,
        -12,
        25,
    ]


def test_from_minor_keeps_the_currency_exponent() -> None:
    assert str(from_minor(-1230, "USD")) == "-12.30"
    assert str(from_minor(5, "KWD")) == "0.005"
    assert str(quantize(Decimal("1234.5"), "JPY")) == "1234"


def test_to_minor_is_exact_beyond_the_default_decimal_precision() -> None:
    huge = Decimal("12345678901234567890123456.7890123456")
    assert to_minor(huge, "USD") == 1234567890123456789012345679


def test_apportion_gives_the_leftover_cent_to_the_largest_remainder() -> None:
    assert apportion(100, [Decimal(1), Decimal(1), Decimal(1)]) == [34, 33, 33]
    assert apportion(10, [Decimal("0.2"), Decimal("0.5"), Decimal("0.3")]) == [2, 5, 3]
    assert apportion(7, [Decimal("0.5"), Decimal(0), Decimal("0.25")]) == [5, 0, 2]


def test_apportion_splits_a_credit_symmetrically() -> None:
    assert apportion(-100, [Decimal(1)] * 3) == [-34, -33, -33]


def test_apportion_refuses_weights_that_are_all_zero_or_negative() -> None:
    with pytest.raises(ZeroDivisionError):
        apportion(5, [Decimal(0), Decimal(0)])
    with pytest.raises(ValueError, match="negative"):
        apportion(5, [Decimal(1), Decimal(-1)])


def test_rounding_each_amount_alone_would_lose_a_cent_but_not_here() -> None:
    assert round_preserving_total([Decimal("0.005"), Decimal("0.005")], "USD") == [1, 0]


@given(st.integers(-(10**12), 10**12), st.lists(weights, min_size=1, max_size=30))
def test_apportion_conserves_every_unit_and_stays_within_one_of_the_exact_share(
    units: int, shares: list[Decimal]
) -> None:
    if not any(shares):
        shares = [*shares, Decimal(1)]
    parts = apportion(units, shares)
    assert sum(parts) == units
    total = sum(shares)
    for part, weight in zip(parts, shares, strict=True):
        assert abs(Decimal(part) - units * weight / total) < 1
        if weight == 0:
            assert part == 0


@given(st.lists(amounts, min_size=1, max_size=40), st.sampled_from(["USD", "JPY", "KWD"]))
def test_rounded_parts_add_up_to_the_rounded_exact_total(
    values: list[Decimal], currency: str
) -> None:
    parts = round_preserving_total(values, currency)
    assert sum(parts) == to_minor(sum(values, Decimal(0)), currency)
    for part, value in zip(parts, values, strict=True):
        assert abs(from_minor(part, currency) - value) < Decimal(10) ** -minor_unit(currency)
