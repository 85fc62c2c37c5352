"""`costplane ai prices`: the bundled price book as money per 1M tokens, with its sources;
and what the bundled book holds (each row sourced and dated, long context and batch apart)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import orjson
import pytest
from typer.testing import CliRunner

from costplane.cli import app
from costplane.cli.output import exact_money
from costplane.domain.ai import AiVendor, TokenType, bundled_price_book

runner = CliRunner()


def test_every_bundled_price_names_its_page_and_a_date_it_was_read() -> None:
    for price in bundled_price_book().prices:
        assert price.source.startswith("https://"), price
        assert date(2025, 1, 1) <= price.as_of <= date(2026, 12, 31), price


def test_long_context_input_has_its_own_price() -> None:
    book = bundled_price_book()
    short = book.lookup(
        AiVendor.ANTHROPIC, "claude-sonnet-4-20250514", TokenType.INPUT, "standard", "0-200k"
    )
    long = book.lookup(
        AiVendor.ANTHROPIC, "claude-sonnet-4-20250514", TokenType.INPUT, "standard", "200k-1M"
    )
    assert (short and short.price, long and long.price) == (Decimal(3), Decimal(6))


def test_batch_is_priced_apart_from_standard() -> None:
    price = bundled_price_book().lookup(
        AiVendor.ANTHROPIC, "claude-sonnet-4", TokenType.OUTPUT, "batch", "0-200k"
    )
    assert price is not None
    assert price.price == Decimal("7.50")


def test_cache_writes_of_five_minutes_and_one_hour_are_priced_apart() -> None:
    book = bundled_price_book()
    prices = [
        book.lookup(AiVendor.ANTHROPIC, "claude-haiku-4-5-20251001", kind, "standard", "0-200k")
        for kind in (TokenType.CACHE_WRITE_5M, TokenType.CACHE_WRITE_1H)
    ]
    assert [p.price if p else None for p in prices] == [Decimal("1.25"), Decimal(2)]


@pytest.mark.parametrize(
    ("amount", "shown"),
    [("3", "3.00"), ("0.075", "0.075"), ("1234.5", "1,234.50"), ("0.125", "0.125")],
)
def test_prices_read_like_money_and_keep_every_published_digit(amount, shown) -> None:
    assert exact_money(Decimal(amount), "USD").text == f"{shown} USD"


def test_the_table_shows_one_vendor_per_million_tokens_with_its_sources() -> None:
    result = runner.invoke(app, ["ai", "prices", "--vendor", "anthropic"])
    assert result.exit_code == 0, result.output
    assert "openai" not in result.stdout
    assert "1M tokens" in result.stdout
    assert "0.625" in result.stdout
    assert "https://platform.claude.com/docs/en/docs/about-claude/pricing" in result.stdout


def test_json_starts_with_the_version_and_lists_every_price() -> None:
    result = runner.invoke(app, ["ai", "prices", "--json"])
    assert result.exit_code == 0, result.output
    lines = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert lines[0] == {"version": bundled_price_book().version}
    assert len(lines) - 1 == len(bundled_price_book().prices)


def test_an_unknown_vendor_is_refused() -> None:
    result = runner.invoke(app, ["ai", "prices", "--vendor", "nope"])
    assert result.exit_code == 2
