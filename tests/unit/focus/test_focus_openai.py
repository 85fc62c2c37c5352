"""OpenAI Usage API and Costs API pages normalise to FOCUS: non-overlapping parts, priced
or unpriced usage, billed costs.

The real samples are the OpenAPI spec's own example responses (tests/data/focus/openai);
the other usage types and larger pages are built in the spec's documented shapes
(tests/support/ai_reports.py).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from costplane.billing.focus.columns import focus_arrow_schema
from costplane.billing.focus.errors import BillFileError
from costplane.billing.focus.sources import get_normaliser
from costplane.domain.ai import AiVendor, TokenType, bundled_price_book
from tests.conftest import TEST_DATA
from tests.support.ai_reports import (
    EVERY_OTHER_TYPE,
    completions,
    openai_bucket,
    openai_cost,
    openai_page,
    write_pages,
)
from tests.unit.focus.conftest import normalise_file

SAMPLES = TEST_DATA / "focus" / "openai"
ORG = "org-spec-example"


def normalise(source: str, path: Path) -> pa.Table:
    """The file's rows; files outside an org=<id> folder are the spec example's
    organisation, as `costplane ingest --billing-account` names it."""
    normaliser = get_normaliser(source)
    if "org=" not in str(path):
        normaliser = normaliser.with_organisation(ORG)  # type: ignore[attr-defined]
    batches = normaliser.batches(path, ingestion_id="test-ingest")
    return pa.Table.from_batches(list(batches), schema=focus_arrow_schema())


def quantities(table: pa.Table) -> dict[str, Decimal]:
    return dict(
        zip(table["x_AiTokenType"].to_pylist(), table["ConsumedQuantity"].to_pylist(), strict=True)
    )


def test_completions_sample_is_one_row_per_non_overlapping_part():
    table = normalise("openai-usage", SAMPLES / "api_example_usage_completions.json")
    assert quantities(table) == {
        "input": 400,
        "input_audio": 50,
        "input_image": 50,
        "cache_read": 300,
        "cache_read_audio": 50,
        "cache_read_image": 50,
        "cache_write": 100,
        "output": 400,
        "output_audio": 50,
        "output_image": 50,
    }


def test_completions_rows_add_up_to_input_plus_output_tokens_never_twice():
    table = normalise("openai-usage", SAMPLES / "api_example_usage_completions.json")
    assert pc.sum(table["ConsumedQuantity"]).as_py() == 1000 + 500


def test_sample_rows_without_model_are_unpriced_at_zero():
    table = normalise("openai-usage", SAMPLES / "api_example_usage_embeddings.json")
    row = table.to_pylist()[0]
    assert (row["x_AiCostBasis"], row["BilledCost"], row["ListCost"]) == ("unpriced", 0, 0)
    assert (row["ConsumedQuantity"], row["ConsumedUnit"]) == (16, "Tokens")


def test_the_bucket_is_the_charge_period_and_its_month_the_billing_period():
    row = normalise("openai-usage", SAMPLES / "api_example_usage_images.json").to_pylist()[0]
    assert row["ChargePeriodStart"].isoformat() == "2024-11-01T00:00:00+00:00"
    assert row["ChargePeriodEnd"].isoformat() == "2024-11-02T00:00:00+00:00"
    assert row["BillingPeriodStart"].isoformat() == "2024-11-01T00:00:00+00:00"
    assert (row["x_AiTokenType"], row["ConsumedUnit"]) == ("image", "Images")


def test_openai_names_every_provider_column_and_the_organisation_is_the_billing_account():
    row = normalise("openai-usage", SAMPLES / "api_example_usage_images.json").to_pylist()[0]
    names = {row[c] for c in ("ProviderName", "PublisherName", "ServiceProviderName")}
    assert names | {row["HostProviderName"], row["InvoiceIssuerName"]} == {"OpenAI"}
    assert (row["BillingAccountId"], row["x_AiVendor"]) == (ORG, "openai")
    assert row["ServiceCategory"] == "AI and Machine Learning"


def test_costs_sample_is_one_billed_row_in_usd():
    row = normalise("openai-costs", SAMPLES / "api_example_costs.json").to_pylist()[0]
    assert (row["BilledCost"], row["EffectiveCost"]) == (Decimal("0.06"), Decimal("0.06"))
    assert (row["BillingCurrency"], row["x_AiCostBasis"]) == ("USD", "billed")


def test_known_model_is_priced_from_the_price_book(tmp_path):
    path = write_pages(
        tmp_path / "org=org-a" / "usage.json",
        [openai_page([openai_bucket("2025-08-01", [completions("gpt-4o-mini-2024-07-18")])])],
    )
    table = normalise("openai-usage", path)
    book = bundled_price_book()
    by_type = {r["x_AiTokenType"]: r for r in table.to_pylist()}
    price = book.lookup(AiVendor.OPENAI, "gpt-4o-mini", TokenType.OUTPUT)
    assert price is not None
    output = by_type["output"]
    assert output["x_AiCostBasis"] == "priced"
    assert output["ListUnitPrice"] == price.unit_price
    assert output["BilledCost"] == output["ListCost"] == price.unit_price * 300
    assert table["BillingAccountId"].to_pylist() == ["org-a"] * 3


def test_an_unknown_model_is_unpriced_and_costs_nothing(tmp_path):
    path = write_pages(
        tmp_path / "org=org-a" / "usage.json",
        [openai_page([openai_bucket("2025-08-01", [completions("gpt-9-turbo")])])],
    )
    table = normalise("openai-usage", path)
    assert set(table["x_AiCostBasis"].to_pylist()) == {"unpriced"}
    assert pc.sum(table["BilledCost"]).as_py() == 0


def test_batch_usage_is_the_batch_tier(tmp_path):
    path = write_pages(
        tmp_path / "org=org-a" / "usage.json",
        [openai_page([openai_bucket("2025-08-01", [completions(batch=True)])])],
    )
    assert set(normalise("openai-usage", path)["x_AiServiceTier"].to_pylist()) == {"batch"}


def test_project_is_the_sub_account_and_the_api_key_the_resource(tmp_path):
    path = write_pages(
        tmp_path / "org=org-a" / "usage.json",
        [openai_page([openai_bucket("2025-08-01", [completions()])])],
    )
    row = normalise("openai-usage", path).to_pylist()[0]
    assert (row["SubAccountId"], row["SubAccountType"]) == ("proj_alpha", "Project")
    assert (row["ResourceId"], row["ResourceType"]) == ("key_1", "openai.api-key")
    assert (row["x_AiApiKeyId"], row["x_AiUserId"]) == ("key_1", "user_1")


def test_every_usage_type_is_its_unit(tmp_path):
    buckets = [openai_bucket("2025-08-01", list(EVERY_OTHER_TYPE.values()))]
    table = normalise(
        "openai-usage", write_pages(tmp_path / "org=o" / "u.json", openai_page(buckets))
    )
    rows = {
        (r["SkuMeter"], r["x_AiTokenType"], r["ConsumedUnit"], r["ConsumedQuantity"])
        for r in table.to_pylist()
    }
    assert rows == {
        ("embeddings", "input", "Tokens", 16),
        ("moderations", "input", "Tokens", 40),
        ("images", "image", "Images", 2),
        ("audio_speeches", "character", "Characters", 1200),
        ("audio_transcriptions", "second", "Seconds", 75),
        ("vector_stores", "gigabyte_day", "GB-Days", 2),
        ("code_interpreter_sessions", "session", "Sessions", 3),
        ("file_searches", "request", "Requests", 7),
        ("web_searches", "request", "Requests", 5),
    }


def test_pages_of_several_types_and_days_keep_file_order_in_source_rows(tmp_path):
    pages = [
        openai_page([openai_bucket("2025-08-01", [completions(), completions("gpt-4o")])]),
        openai_page([openai_bucket("2025-08-02", [EVERY_OTHER_TYPE["embeddings"]])]),
    ]
    table = normalise("openai-usage", write_pages(tmp_path / "org=o" / "u.json", pages))
    assert table["x_SourceRow"].to_pylist() == [1, 1, 1, 2, 2, 2, 3]
    assert table["ChargePeriodStart"][-1].as_py().day == 2


def test_a_file_without_an_organisation_is_refused(tmp_path):
    path = write_pages(tmp_path / "usage.json", openai_page([]))
    with pytest.raises(BillFileError, match="org=<organisation id>") as error:
        normalise_file("openai-usage", path)
    assert error.value.code == "no_organisation"


def test_costs_in_another_currency_keep_it_upper_cased(tmp_path):
    path = write_pages(
        tmp_path / "org=o" / "c.json",
        openai_page([openai_bucket("2025-08-01", [openai_cost(1.5, currency="eur")])]),
    )
    row = normalise("openai-costs", path).to_pylist()[0]
    assert (row["BilledCost"], row["BillingCurrency"]) == (Decimal("1.5"), "EUR")
