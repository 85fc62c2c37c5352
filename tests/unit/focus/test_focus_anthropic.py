"""Anthropic's messages usage report and cost report normalise to FOCUS.

The real samples are the API reference's example responses (read in place: Anthropic's
documentation is not ours to copy); priced usage uses pages built in the same documented
shape (tests/support/ai_reports.py).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from costplane.billing.focus.columns import focus_arrow_schema
from costplane.billing.focus.sources import get_normaliser
from costplane.domain.ai import AiVendor, TokenType, bundled_price_book
from tests.conftest import in_place
from tests.support.ai_reports import (
    anthropic_bucket,
    anthropic_cost,
    anthropic_page,
    messages_usage,
    write_pages,
)

USAGE = "anthropic/api_example_usage_report_messages.json"
COST = "anthropic/api_example_cost_report.json"
ORG = "org-docs-example"


def normalise(source: str, path: Path) -> pa.Table:
    normaliser = get_normaliser(source).with_organisation(ORG)  # type: ignore[attr-defined]
    batches = normaliser.batches(path, ingestion_id="test-ingest")
    return pa.Table.from_batches(list(batches), schema=focus_arrow_schema())


@pytest.mark.read_in_place(USAGE)
def test_usage_sample_is_one_row_per_part_of_what_it_counted():
    table = normalise("anthropic-usage", in_place(USAGE))
    parts = dict(
        zip(table["x_AiTokenType"].to_pylist(), table["ConsumedQuantity"].to_pylist(), strict=True)
    )
    assert parts == {
        "input": 1500,
        "cache_read": 200,
        "cache_write_5m": 500,
        "cache_write_1h": 1000,
        "output": 500,
        "request": 10,
    }


@pytest.mark.read_in_place(USAGE)
def test_usage_sample_keeps_workspace_key_tier_window_and_geography():
    row = normalise("anthropic-usage", in_place(USAGE)).to_pylist()[0]
    assert (row["SubAccountId"], row["SubAccountType"]) == (
        "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ",
        "Workspace",
    )
    assert (row["x_AiApiKeyId"], row["x_AiUserId"]) == (
        "apikey_01Rj2N8SVvo6BePZj99NhmiT",
        "user_01WCz1FkmYMm4gnmykNKUu3Q",
    )
    assert (row["x_AiServiceTier"], row["x_AiContextWindow"], row["RegionId"]) == (
        "standard",
        "0-200k",
        "global",
    )
    assert (row["ProviderName"], row["x_AiVendor"]) == ("Anthropic", "anthropic")


@pytest.mark.read_in_place(USAGE)
def test_sample_parts_the_book_prices_are_priced_and_the_others_unpriced_at_zero():
    book = bundled_price_book()
    for row in normalise("anthropic-usage", in_place(USAGE)).to_pylist():
        price = book.lookup(
            AiVendor.ANTHROPIC,
            "claude-opus-5",
            TokenType(row["x_AiTokenType"]),
            "standard",
            "0-200k",
        )
        if price is None:
            assert (row["x_AiCostBasis"], row["EffectiveCost"]) == ("unpriced", 0)
        else:
            assert row["x_AiCostBasis"] == "priced"
            assert row["EffectiveCost"] == price.unit_price * row["ConsumedQuantity"]


@pytest.mark.read_in_place(COST)
def test_cost_amount_is_a_string_of_cents_read_exactly():
    row = normalise("anthropic-cost", in_place(COST)).to_pylist()[0]
    assert row["BilledCost"] == Decimal("1.2378912")
    assert (row["BillingCurrency"], row["x_AiCostBasis"], row["x_AiTokenType"]) == (
        "USD",
        "billed",
        "input",
    )
    assert row["ChargeDescription"] == "Claude Opus 5 Usage - Input Tokens"


def test_usage_of_a_priced_model_costs_its_book_price_per_part(tmp_path):
    page = anthropic_page([anthropic_bucket("2025-08-01", [messages_usage()])])
    table = normalise("anthropic-usage", write_pages(tmp_path / "u.json", page))
    book = bundled_price_book()
    for row in table.to_pylist():
        price = book.lookup(
            AiVendor.ANTHROPIC,
            "claude-sonnet-4-5",
            TokenType(row["x_AiTokenType"]),
            "standard",
            "0-200k",
        )
        assert price is not None
        assert row["BilledCost"] == price.unit_price * row["ConsumedQuantity"]
        assert row["x_AiCostBasis"] == "priced"


def test_cost_rows_of_web_search_are_requests(tmp_path):
    result = anthropic_cost("1000", cost_type="web_search", token_type=None, model=None)
    page = anthropic_page([anthropic_bucket("2025-08-01", [result])])
    row = normalise("anthropic-cost", write_pages(tmp_path / "c.json", page)).to_pylist()[0]
    assert (row["BilledCost"], row["x_AiTokenType"]) == (Decimal(10), "request")
