"""AI rows inside cloud bills: Bedrock token lines in a CUR, Azure OpenAI meters in a cost
export and Gemini SKUs in a billing export carry the x_Ai columns; other rows keep them null.

Meter names are the clouds' own: the Bedrock User Guide's CUR usage types (and the AWS blog's
example rows, read in place), Azure meter names as a cost export shows them, Google Cloud
Billing Catalog SKU descriptions of Vertex AI.
"""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from costplane.billing.focus.columns import COLUMNS_BY_NAME, Level
from tests.conftest import TEST_DATA, in_place
from tests.support.cur2_rows import cur2_file

BEDROCK_EXAMPLE = "ai/aws_bedrock_cur2_iam_principal_example_rows.csv"  # AWS blog: in place
LEGACY = TEST_DATA / "focus" / "aws" / "cur_legacy_anonymized_2023-11_days01-07.csv"
AZURE_ACTUAL = TEST_DATA / "focus" / "azure" / "ea_actual_cost_small.csv"
AI_COLUMNS = [c.name for c in COLUMNS_BY_NAME.values() if c.level is Level.EXTENSION]


def _one(table: pa.Table) -> dict[str, object]:
    assert table.num_rows == 1
    return table.to_pylist()[0]


@pytest.mark.read_in_place(BEDROCK_EXAMPLE)
def test_bedrock_token_lines_of_the_aws_example_are_billed_ai_rows(normalise, tmp_path):
    with in_place(BEDROCK_EXAMPLE).open(encoding="utf-8") as handle:
        example = list(csv.DictReader(handle))
    table = normalise("aws-cur2", cur2_file(tmp_path / "cur2.csv", example))
    assert table["x_AiVendor"].to_pylist() == ["aws-bedrock"] * 4
    assert table["x_AiModel"].to_pylist() == [
        "claude-sonnet-4-6",
        "claude-sonnet-4-6",
        "claude-opus-4-6",
        "claude-opus-4-6",
    ]
    assert table["x_AiTokenType"].to_pylist() == ["input", "output", "input", "output"]
    assert table["x_AiUserId"].to_pylist() == [r["line_item_iam_principal"] for r in example]
    assert table["x_AiCostBasis"].to_pylist() == ["billed"] * 4
    assert table["BilledCost"].to_pylist() == [
        Decimal(r["line_item_unblended_cost"]) for r in example
    ]


def test_claude_on_bedrock_is_published_by_anthropic_and_sold_hosted_invoiced_by_aws(
    normalise, tmp_path
):
    rows = [{"line_item_usage_type": "USE1-Claude4.6Sonnet-input-tokens"}]
    row = _one(normalise("aws-cur2", cur2_file(tmp_path / "cur2.csv", rows)))
    assert row["PublisherName"] == "Anthropic"
    assert row["ServiceProviderName"] == "AWS"
    assert row["HostProviderName"] == "AWS"
    assert row["InvoiceIssuerName"] == "Amazon Web Services, Inc."


def test_bedrock_usage_in_thousands_of_tokens_is_consumed_in_tokens(normalise, tmp_path):
    rows = [
        {
            "line_item_usage_type": "USE1-Claude4.6Sonnet-input-tokens",
            "line_item_usage_amount": "23.5",
        }
    ]
    row = _one(normalise("aws-cur2", cur2_file(tmp_path / "cur2.csv", rows)))
    assert row["ConsumedQuantity"] == Decimal(23500)
    assert row["ConsumedUnit"] == "Tokens"
    assert row["PricingQuantity"] == Decimal("23.5")


@pytest.mark.parametrize(
    ("usage_type", "model", "token_type", "tier"),
    [
        (
            "USE1-Claude4.6Sonnet-cache-read-input-token-count",
            "claude-sonnet-4-6",
            "cache_read",
            "standard",
        ),
        (
            "USE1-Claude4.6Sonnet-cache-write-input-token-count",
            "claude-sonnet-4-6",
            "cache_write",
            "standard",
        ),
        (
            "USE1-Claude4.6Sonnet-output-tokens-cross-region-global",
            "claude-sonnet-4-6",
            "output",
            "standard",
        ),
        ("USE1-Nova2.0Lite-input-tokens-flex", "nova-2-lite", "input", "flex"),
        ("USE1-gpt-oss-120b-output-tokens-priority", "gpt-oss-120b", "output", "priority"),
        (
            "USE1-openai.gpt-oss-120b-mantle-input-tokens-standard",
            "gpt-oss-120b",
            "input",
            "standard",
        ),
    ],
)
def test_bedrock_usage_types_name_model_token_type_and_tier(
    normalise, tmp_path, usage_type, model, token_type, tier
):
    row = _one(
        normalise(
            "aws-cur2", cur2_file(tmp_path / "cur2.csv", [{"line_item_usage_type": usage_type}])
        )
    )
    assert (row["x_AiModel"], row["x_AiTokenType"], row["x_AiServiceTier"]) == (
        model,
        token_type,
        tier,
    )


def test_a_bedrock_model_the_table_does_not_know_keeps_its_meter_name_and_stated_provider(
    normalise, tmp_path
):
    legacy = {
        "identity/LineItemId": "1",
        "bill/PayerAccountId": "123456789012",
        "bill/BillingPeriodStartDate": "2026-04-01T00:00:00Z",
        "bill/BillingPeriodEndDate": "2026-05-01T00:00:00Z",
        "lineItem/UsageStartDate": "2026-04-16T00:00:00Z",
        "lineItem/UsageEndDate": "2026-04-17T00:00:00Z",
        "lineItem/LineItemType": "Usage",
        "lineItem/ProductCode": "AmazonBedrock",
        "lineItem/UsageType": "USE1-Llama3.3-70B-input-tokens",
        "lineItem/UsageAmount": "2",
        "lineItem/UnblendedCost": "0.00144",
        "lineItem/CurrencyCode": "USD",
        "lineItem/LegalEntity": "Amazon Web Services, Inc.",
        "product/provider": "Meta",
        "pricing/unit": "1K tokens",
    }
    path = tmp_path / "legacy.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(legacy))
        writer.writeheader()
        writer.writerow(legacy)
    row = _one(normalise("aws-cur", path))
    assert row["x_AiModel"] == "llama3.3-70b"
    assert row["PublisherName"] == "Meta"
    assert row["ConsumedQuantity"] == Decimal(2000)


def test_rows_of_other_services_keep_the_ai_columns_null(normalise):
    table = normalise("aws-cur", LEGACY)
    for name in AI_COLUMNS:
        assert table[name].null_count == table.num_rows, name


def test_a_bedrock_line_that_is_not_a_token_meter_is_not_an_ai_row(normalise, tmp_path):
    rows = [
        {"line_item_usage_type": "USE1-ProvisionedThroughput-ModelUnits", "pricing_unit": "Hrs"}
    ]
    row = _one(normalise("aws-cur2", cur2_file(tmp_path / "cur2.csv", rows)))
    assert all(row[name] is None for name in AI_COLUMNS)


def _azure_rows(tmp_path: Path, meters: list[dict[str, str]]) -> Path:
    """The first row of the real EA export, re-metered as model token meters."""
    text = AZURE_ACTUAL.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    template = next(reader)
    template.update(
        ChargeType="Usage",
        Frequency="UsageBased",
        PricingModel="OnDemand",
        ReservationId="",
        ReservationName="",
        benefitId="",
        benefitName="",
    )
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=reader.fieldnames or [])
    writer.writeheader()
    for meter in meters:
        writer.writerow({**template, **meter})
    path = tmp_path / "ea.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


AZURE_OPENAI = {
    "MeterCategory": "Cognitive Services",
    "MeterSubCategory": "Azure OpenAI",
    "ConsumedService": "Microsoft.CognitiveServices",
    "UnitOfMeasure": "1K",
}


@pytest.mark.parametrize(
    ("meter", "model", "token_type", "tier", "publisher"),
    [
        (
            "gpt 4o 0513 Input global Tokens",
            "gpt-4o-2024-05-13",
            "input",
            "global-standard",
            "OpenAI",
        ),
        (
            "gpt-4o-mini-0718-Outp-glbl Tokens",
            "gpt-4o-mini-2024-07-18",
            "output",
            "global-standard",
            "OpenAI",
        ),
        (
            "gpt 4o 1120 cached Inp glbl",
            "gpt-4o-2024-11-20",
            "cache_read",
            "global-standard",
            "OpenAI",
        ),
        ("gpt-4-8K-Batch-Inp-glbl Tokens", "gpt-4-8k", "input", "global-batch", "Microsoft"),
        ("R1 Outp glbl Tokens", "DeepSeek-R1", "output", "global-standard", "DeepSeek"),
    ],
)
def test_azure_openai_meters_name_model_token_type_deployment_and_publisher(
    normalise, tmp_path, meter, model, token_type, tier, publisher
):
    path = _azure_rows(
        tmp_path, [{**AZURE_OPENAI, "MeterName": meter, "PublisherName": "Microsoft"}]
    )
    row = _one(normalise("azure-ea", path))
    assert row["x_AiVendor"] == "azure-openai"
    assert (row["x_AiModel"], row["x_AiTokenType"], row["x_AiServiceTier"]) == (
        model,
        token_type,
        tier,
    )
    assert row["PublisherName"] == publisher
    assert row["x_AiCostBasis"] == "billed"


def test_azure_token_meters_in_thousands_are_consumed_in_tokens(normalise, tmp_path):
    meter = {**AZURE_OPENAI, "MeterName": "gpt 4o 0513 Input global Tokens", "Quantity": "934.5"}
    row = _one(normalise("azure-ea", _azure_rows(tmp_path, [meter])))
    assert row["ConsumedQuantity"] == Decimal(934500)
    assert row["ConsumedUnit"] == "Tokens"


def test_an_input_meter_outside_azure_openai_is_not_an_ai_row(normalise, tmp_path):
    meter = {
        "MeterCategory": "Cognitive Services",
        "MeterSubCategory": "Speech",
        "MeterName": "Speech To Text Input",
        "UnitOfMeasure": "1 Hour",
    }
    row = _one(normalise("azure-ea", _azure_rows(tmp_path, [meter])))
    assert all(row[name] is None for name in AI_COLUMNS)


GEMINI = {
    "billing_account_id": "0123-4567-89AB",
    "service": {"id": "C7E2-9256-1C43", "description": "Vertex AI"},
    "sku": {"id": "FDAB-647C-5A22", "description": "Gemini 2.5 Flash Text Input - Predictions"},
    "usage_start_time": "2026-04-16T10:00:00Z",
    "usage_end_time": "2026-04-16T11:00:00Z",
    "project": {"id": "chat-prod", "name": "Chat"},
    "location": {"region": "us-central1"},
    "cost": 0.3,
    "currency": "USD",
    "usage": {
        "amount": 1000000,
        "unit": "count",
        "amount_in_pricing_units": 1000000,
        "pricing_unit": "count",
    },
    "credits": [],
    "invoice": {"month": "202604"},
    "cost_type": "regular",
}


def _gemini(tmp_path: Path, *records: dict[str, object]) -> Path:
    path = tmp_path / "billing.ndjson"
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path


@pytest.mark.parametrize(
    ("sku", "model", "token_type", "tier"),
    [
        ("Gemini 2.5 Flash Text Input - Predictions", "gemini-2.5-flash", "input", "standard"),
        ("Gemini 2.5 Flash GA Text Input - Predictions", "gemini-2.5-flash", "input", "standard"),
        (
            "Gemini 2.5 Flash Thinking Text Output - Predictions",
            "gemini-2.5-flash",
            "output",
            "standard",
        ),
        ("Gemini 2.5 Flash Text Input - Batch Predictions", "gemini-2.5-flash", "input", "batch"),
        (
            "Gemini 2.5 Flash Lite Text Output - Predictions",
            "gemini-2.5-flash-lite",
            "output",
            "standard",
        ),
    ],
)
def test_vertex_gemini_skus_name_model_token_type_and_tier(
    normalise, tmp_path, sku, model, token_type, tier
):
    record = {**GEMINI, "sku": {"id": "X", "description": sku}}
    row = _one(normalise("gcp-billing", _gemini(tmp_path, record)))
    assert row["x_AiVendor"] == "gcp-vertex"
    assert (row["x_AiModel"], row["x_AiTokenType"], row["x_AiServiceTier"]) == (
        model,
        token_type,
        tier,
    )
    assert (row["ConsumedQuantity"], row["ConsumedUnit"]) == (Decimal(1000000), "Tokens")
    assert row["PublisherName"] == "Google"


def test_a_credit_on_gemini_usage_is_ai_spend_too(normalise, tmp_path):
    record = {**GEMINI, "credits": [{"name": "Free trial", "amount": -0.1, "type": "FREE_TIER"}]}
    table = normalise("gcp-billing", _gemini(tmp_path, record))
    credit = table.filter(pc.equal(table["ChargeCategory"], "Credit"))
    assert credit["x_AiModel"].to_pylist() == ["gemini-2.5-flash"]
    assert credit["BilledCost"].to_pylist() == [Decimal("-0.1")]


def test_a_gemini_sku_of_an_unknown_token_kind_is_not_an_ai_row(normalise, tmp_path):
    record = {
        **GEMINI,
        "sku": {"id": "X", "description": "Gemini 2.5 Flash Input Text Caching Storage"},
    }
    row = _one(normalise("gcp-billing", _gemini(tmp_path, record)))
    assert all(row[name] is None for name in AI_COLUMNS)


FOCUS_SAMPLE = TEST_DATA / "focus" / "focus" / "focus_1.0_sample_1000rows_aws_azure_oci.csv"


def _focus_export(tmp_path: Path, provider: str, changes: dict[str, str]) -> Path:
    """One row of the real FOCUS 1.0 sample of `provider`, changed into a model call."""
    with FOCUS_SAMPLE.open(encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        row = next(r for r in reader if r["ProviderName"] == provider)
        fields = [*(reader.fieldnames or []), *(c for c in changes if c not in row)]
    path = tmp_path / "focus.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerow({**row, **changes})
    return path


def test_a_bedrock_row_of_the_aws_focus_export_is_an_ai_row(normalise, tmp_path):
    changes = {
        "ServiceName": "Amazon Bedrock",
        "x_UsageType": "USE1-Claude4.6Sonnet-output-tokens",
        "ConsumedQuantity": "1.5",
        "ConsumedUnit": "1K tokens",
    }
    row = _one(normalise("aws-focus", _focus_export(tmp_path, "AWS", changes)))
    assert (row["x_AiVendor"], row["x_AiModel"], row["x_AiTokenType"]) == (
        "aws-bedrock",
        "claude-sonnet-4-6",
        "output",
    )
    assert (row["ConsumedQuantity"], row["ConsumedUnit"]) == (Decimal(1500), "Tokens")
    assert row["PublisherName"] == "Anthropic"


def test_an_azure_openai_row_of_the_azure_focus_export_is_an_ai_row(normalise, tmp_path):
    changes = {
        "x_SkuMeterSubcategory": "Azure OpenAI",
        "x_SkuMeterName": "gpt-4o-mini-0718-Inp-glbl Tokens",
        "ConsumedQuantity": "2",
        "ConsumedUnit": "1K",
    }
    row = _one(normalise("azure-focus", _focus_export(tmp_path, "Microsoft", changes)))
    assert (row["x_AiVendor"], row["x_AiModel"], row["x_AiServiceTier"]) == (
        "azure-openai",
        "gpt-4o-mini-2024-07-18",
        "global-standard",
    )
    assert (row["ConsumedQuantity"], row["ConsumedUnit"]) == (Decimal(2000), "Tokens")


def test_rows_of_the_focus_sample_keep_the_ai_columns_null(normalise):
    table = normalise("focus", FOCUS_SAMPLE)
    for name in AI_COLUMNS:
        assert table[name].null_count == table.num_rows, name
