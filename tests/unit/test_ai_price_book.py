"""The AI price book: what it prices, what it refuses to guess, and how it rejects a bad file."""

from __future__ import annotations

from decimal import Decimal

import pytest

from costplane.domain.ai import (
    AiVendor,
    PriceBookError,
    TokenType,
    bundled_price_book,
    parse_price_book,
)

HEADER = (
    "# version: test\n"
    "vendor,model,token_type,service_tier,context_window,price,per,currency,source,as_of\n"
)


def book(*rows: str) -> str:
    return HEADER + "".join(f"{row}\n" for row in rows)


def test_a_dated_snapshot_is_priced_as_its_model() -> None:
    price = bundled_price_book().lookup(AiVendor.OPENAI, "gpt-4o-mini-2024-07-18", TokenType.OUTPUT)
    assert price is not None
    assert price.unit_price == Decimal("0.60") / 1_000_000


def test_a_model_that_only_shares_a_prefix_is_not_priced() -> None:
    assert (
        bundled_price_book().lookup(AiVendor.OPENAI, "gpt-4o-audio-preview", TokenType.INPUT)
        is None
    )


def test_an_unknown_model_has_no_price() -> None:
    assert bundled_price_book().lookup(AiVendor.ANTHROPIC, "claude-opus-5", TokenType.INPUT) is None


def test_an_exact_tier_wins_over_any_tier() -> None:
    text = book(
        "openai,m,input,*,*,1,1000000,USD,https://x,2025-01-01",
        "openai,m,input,batch,*,0.5,1000000,USD,https://x,2025-01-01",
    )
    price = parse_price_book(text).lookup(AiVendor.OPENAI, "m", TokenType.INPUT, "batch")
    assert price is not None
    assert price.price == Decimal("0.5")


def test_every_bundled_price_names_its_source_page() -> None:
    assert all(p.source.startswith("https://") for p in bundled_price_book().prices)


def test_a_price_that_is_not_a_number_names_its_line() -> None:
    with pytest.raises(PriceBookError, match="line 3"):
        parse_price_book(book("openai,m,input,*,*,cheap,1000000,USD,https://x,2025-01-01"))


def test_a_key_priced_twice_is_rejected() -> None:
    row = "openai,m,input,*,*,1,1000000,USD,https://x,2025-01-01"
    with pytest.raises(PriceBookError, match="priced twice"):
        parse_price_book(book(row, row))


def test_a_book_without_a_version_is_rejected() -> None:
    with pytest.raises(PriceBookError, match="version"):
        parse_price_book(HEADER.split("\n", 1)[1])
