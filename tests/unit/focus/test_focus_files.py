"""FOCUS files of any version are upgraded to the table's 1.2 + 1.3 columns."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from costplane.billing.focus.errors import BillFileError
from costplane.billing.focus.sources.focus_files import FocusFileNormaliser, focus_name
from tests.conftest import TEST_DATA

FOCUS = TEST_DATA / "focus" / "focus"
SAMPLE = FOCUS / "focus_1.0_sample_1000rows_aws_azure_oci.csv"
AI_EXAMPLE = FOCUS / "spec_examples_extra" / "ai_billing" / "per_token_foundation_model_api.csv"
BAD_EXAMPLE = (
    FOCUS
    / "spec_v1.2_examples"
    / "commitment_discount_scenarios"
    / "commitment_discount_purchase_scenario_2.csv"
)
EXAMPLE_DEFAULTS = {
    "BillingAccountId": "example-account",
    "BillingCurrency": "USD",
    "InvoiceIssuerName": "Example Provider",
    "ProviderName": "Example Provider",
    "ServiceName": "Example Service",
}


def _table(normaliser: FocusFileNormaliser, path) -> pa.Table:
    return pa.Table.from_batches(list(normaliser.batches(path, ingestion_id="t")))


@pytest.mark.parametrize(
    ("header", "column"),
    [
        ("BilledCost", "BilledCost"),
        ("SkuPriceid", "SkuPriceId"),
        ("Region", "RegionId"),
        ("UsageQuantity", "ConsumedQuantity"),
        ("InvoiceIssuer", "InvoiceIssuerName"),
        ("AmortizedCost", "EffectiveCost"),
        ("Id", None),
        ("x_CommitmentDiscountUnitPrice", None),
        ("x_SourceName", None),
    ],
)
def test_headers_of_earlier_versions_map_to_this_table(header, column):
    assert focus_name(header) == column


def test_focus_1_0_sample_is_upgraded_with_one_category_per_service(normalise):
    table = normalise("focus", SAMPLE)
    assert table.num_rows == 1000
    pairs = table.group_by(["ServiceName", "ServiceCategory"]).aggregate([])
    assert pairs.num_rows == len(pc.unique(table["ServiceName"]))
    ec2 = table.filter(pc.equal(table["ServiceName"], "Amazon Elastic Compute Cloud"))
    assert set(ec2["ServiceCategory"].to_pylist()) == {"Compute"}


def test_enumerations_are_respelled_and_mandatory_gaps_filled_by_spec_rules(normalise):
    table = normalise("focus", SAMPLE)
    assert "Usage-based" not in table["ChargeFrequency"].to_pylist()
    assert table["ContractedCost"].null_count == 0
    assert table["ServiceSubcategory"].null_count == 0
    oracle = table.filter(pc.equal(table["ProviderName"], "Oracle"))
    assert oracle["ContractedCost"].to_pylist() == oracle["BilledCost"].to_pylist()


def test_provider_units_in_focus_files_are_rewritten(normalise):
    units = set(normalise("focus", SAMPLE)["PricingUnit"].to_pylist())
    assert "GB-Seconds" in units
    assert "Lambda-GB-Seconds" not in units


def test_files_after_1_2_take_provider_from_service_provider(normalise):
    row = normalise("focus", AI_EXAMPLE).to_pylist()[0]
    assert row["ProviderName"] == row["PublisherName"] == row["ServiceProviderName"] == "Solora AI"
    assert row["ServiceCategory"] == "AI and Machine Learning"
    assert row["ServiceSubcategory"] == "Generative AI"


def test_missing_mandatory_columns_are_named(normalise):
    example = (
        FOCUS
        / "spec_v1.2_examples"
        / "commitment_discount_scenarios"
        / "commitment_discount_usage_scenario_1.csv"
    )
    with pytest.raises(BillFileError) as raised:
        normalise("focus", example)
    assert raised.value.column == "BillingAccountId"
    assert "BillingCurrency, InvoiceIssuerName, ProviderName, ServiceName" in str(raised.value)


def test_defaults_complete_illustrative_spec_examples():
    example = (
        FOCUS
        / "spec_v1.2_examples"
        / "commitment_discount_scenarios"
        / "commitment_discount_usage_scenario_4.csv"
    )
    table = _table(FocusFileNormaliser("example", defaults=EXAMPLE_DEFAULTS), example)
    assert pc.sum(table["EffectiveCost"]).as_py() == Decimal("1.5")
    assert set(table["BillingCurrency"].to_pylist()) == {"USD"}


def test_the_spec_example_with_hour_30_is_refused_at_that_cell():
    with pytest.raises(BillFileError) as raised:
        _table(FocusFileNormaliser("example", defaults=EXAMPLE_DEFAULTS), BAD_EXAMPLE)
    assert (raised.value.row, raised.value.column, raised.value.code) == (
        3,
        "ChargePeriodEnd",
        "bad_timestamp",
    )


def test_unknown_charge_category_is_refused_at_its_row(normalise, tmp_path):
    table = pa.Table.from_pylist(
        [
            {
                "BilledCost": "1",
                "BillingAccountId": "a",
                "BillingCurrency": "USD",
                "BillingPeriodStart": "2024-01-01T00:00:00Z",
                "BillingPeriodEnd": "2024-02-01T00:00:00Z",
                "ChargeCategory": category,
                "ChargePeriodStart": "2024-01-01T00:00:00Z",
                "ChargePeriodEnd": "2024-01-02T00:00:00Z",
                "InvoiceIssuerName": "i",
                "ProviderName": "p",
                "ServiceName": "s",
            }
            for category in ("usage", "Refund")
        ]
    )
    path = tmp_path / "focus.parquet"
    pq.write_table(table, path)
    with pytest.raises(BillFileError, match="row 2, column ChargeCategory: 'Refund' is not one of"):
        normalise("focus", path)


def test_aws_focus_export_uses_the_aws_service_table(normalise, tmp_path):
    source = (
        pa.Table.from_batches(list(FocusFileNormaliser("focus").batches(SAMPLE, ingestion_id="t")))
        .filter(pc.equal(pc.field("ProviderName"), "AWS"))
        .slice(0, 5)
    )
    path = tmp_path / "aws-focus.parquet"
    pq.write_table(source.drop_columns(["ServiceCategory", "ServiceSubcategory"]), path)
    table = normalise("aws-focus", path)
    assert table.num_rows == 5
    assert table["ServiceCategory"].null_count == 0
    assert set(table["x_SourceName"].to_pylist()) == {"aws-focus"}
