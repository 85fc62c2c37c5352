"""AWS CUR (legacy and 2.0) normalise to FOCUS with AWS's amortisation per line-item type."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from costplane.billing.focus.errors import BillFileError
from costplane.billing.focus.sources.aws import cur2_name
from tests.conftest import TEST_DATA, in_place

LEGACY = TEST_DATA / "focus" / "aws" / "cur_legacy_anonymized_2023-11_days01-07.csv"
ELASTIC_CUR2 = "aws/cur2_synthetic_fixture_elastic_integrations.csv"  # read in place


def _cur2_rows(rows: list[dict[str, object]]) -> pa.Table:
    base = {
        "bill_billing_period_start_date": "2023-11-01T00:00:00.000Z",
        "bill_billing_period_end_date": "2023-12-01T00:00:00.000Z",
        "bill_payer_account_id": "111111111111",
        "bill_invoicing_entity": "Amazon Web Services, Inc.",
        "bill_billing_entity": "AWS",
        "line_item_usage_start_date": "2023-11-02T00:00:00.000Z",
        "line_item_usage_end_date": "2023-11-02T01:00:00.000Z",
        "line_item_currency_code": "USD",
        "line_item_product_code": "AmazonEC2",
        "line_item_legal_entity": "Amazon Web Services, Inc.",
        "line_item_usage_account_id": "222222222222",
        "pricing_unit": "Hrs",
    }
    return pa.Table.from_pylist([{**base, **row} for row in rows])


def _write_parquet(table: pa.Table, path: Path) -> Path:
    pq.write_table(table, path)
    return path


def test_legacy_header_names_map_to_cur2_names():
    assert cur2_name("lineItem/UnblendedCost") == "line_item_unblended_cost"
    assert cur2_name("savingsPlan/SavingsPlanARN") == "savings_plan_savings_plan_a_r_n"
    assert cur2_name("product/ProductName") == "product_product_name"
    assert cur2_name("resourceTags/user:CostCenter") == "resource_tags/user:CostCenter"
    assert cur2_name("product/durability") is None


def test_legacy_cur_sample_normalises_every_row(normalise):
    table = normalise("aws-cur", LEGACY)
    assert table.num_rows == 724
    assert table["x_SourceRow"].to_pylist() == list(range(1, 725))
    assert set(table["InvoiceIssuerName"].to_pylist()) == {"Amazon Web Services Canada, Inc."}
    assert set(table["ChargeCategory"].to_pylist()) == {"Usage", "Tax"}


def test_each_service_name_has_exactly_one_category(normalise):
    table = normalise("aws-cur", LEGACY)
    pairs = table.group_by(["ServiceName", "ServiceCategory"]).aggregate([])
    assert pairs.num_rows == len(pc.unique(table["ServiceName"]))
    assert "Other" not in pairs["ServiceCategory"].to_pylist()


def test_units_are_in_unit_format_and_absent_on_tax_rows(normalise):
    table = normalise("aws-cur", LEGACY)
    units = set(table.filter(pc.equal(table["ChargeCategory"], "Usage"))["PricingUnit"].to_pylist())
    assert "GB-Months" in units
    assert "GB-Mo" not in units
    tax = table.filter(pc.equal(table["ChargeCategory"], "Tax"))
    assert tax["PricingUnit"].null_count == tax.num_rows
    assert tax["ConsumedQuantity"].null_count == tax.num_rows


@pytest.mark.parametrize(
    ("row", "billed", "effective"),
    [
        ({"line_item_line_item_type": "Usage", "line_item_unblended_cost": "1.25"}, "1.25", "1.25"),
        (
            {
                "line_item_line_item_type": "SavingsPlanCoveredUsage",
                "line_item_unblended_cost": "0.10",
                "savings_plan_savings_plan_effective_cost": "0.06",
                "savings_plan_savings_plan_a_r_n": "arn:aws:savingsplans::1:savingsplan/sp",
            },
            "0",
            "0.06",
        ),
        (
            {
                "line_item_line_item_type": "SavingsPlanNegation",
                "line_item_unblended_cost": "-0.10",
            },
            "0",
            "0",
        ),
        (
            {
                "line_item_line_item_type": "SavingsPlanRecurringFee",
                "line_item_unblended_cost": "0.08",
                "savings_plan_total_commitment_to_date": "0.08",
                "savings_plan_used_commitment": "0.06",
            },
            "0.08",
            "0.02",
        ),
        (
            {
                "line_item_line_item_type": "SavingsPlanUpfrontFee",
                "line_item_unblended_cost": "700",
            },
            "700",
            "0",
        ),
        (
            {
                "line_item_line_item_type": "DiscountedUsage",
                "line_item_unblended_cost": "0",
                "reservation_effective_cost": "0.031",
                "reservation_reservation_a_r_n": "arn:aws:ec2:us-east-1:1:reserved-instances/ri",
            },
            "0",
            "0.031",
        ),
        (
            {
                "line_item_line_item_type": "RIFee",
                "line_item_unblended_cost": "22.32",
                "reservation_unused_amortized_upfront_fee_for_billing_period": "1.5",
                "reservation_unused_recurring_fee": "0.5",
                "reservation_reservation_a_r_n": "arn:aws:ec2:us-east-1:1:reserved-instances/ri",
            },
            "22.32",
            "2.0",
        ),
        (
            {
                "line_item_line_item_type": "Fee",
                "line_item_unblended_cost": "300",
                "reservation_reservation_a_r_n": "arn:aws:ec2:us-east-1:1:reserved-instances/ri",
            },
            "300",
            "0",
        ),
        ({"line_item_line_item_type": "Credit", "line_item_unblended_cost": "-5"}, "-5", "-5"),
    ],
)
def test_amortisation_per_line_item_type(normalise, tmp_path, row, billed, effective):
    path = _write_parquet(_cur2_rows([row]), tmp_path / "cur2.parquet")
    table = normalise("aws-cur2", path)
    assert table["BilledCost"][0].as_py() == Decimal(billed)
    assert table["EffectiveCost"][0].as_py() == Decimal(effective)


def test_savings_plan_usage_carries_its_commitment(normalise, tmp_path):
    row = {
        "line_item_line_item_type": "SavingsPlanCoveredUsage",
        "line_item_unblended_cost": "0.10",
        "savings_plan_savings_plan_a_r_n": "arn:aws:savingsplans::1:savingsplan/sp",
    }
    table = normalise("aws-cur2", _write_parquet(_cur2_rows([row]), tmp_path / "sp.parquet"))
    got = table.select(
        [
            "CommitmentDiscountId",
            "CommitmentDiscountType",
            "CommitmentDiscountCategory",
            "CommitmentDiscountStatus",
            "PricingCategory",
        ]
    ).to_pylist()[0]
    assert got == {
        "CommitmentDiscountId": "arn:aws:savingsplans::1:savingsplan/sp",
        "CommitmentDiscountType": "Savings Plan",
        "CommitmentDiscountCategory": "Spend",
        "CommitmentDiscountStatus": "Used",
        "PricingCategory": "Committed",
    }


def test_cur2_parquet_resource_tags_map_loses_the_user_prefix(normalise, tmp_path):
    table = _cur2_rows(
        [{"line_item_line_item_type": "Usage", "line_item_unblended_cost": "1"}] * 2
    ).append_column(
        "resource_tags",
        pa.array(
            [[("user_cost_center", "cc-1"), ("aws_created_by", "root")], []],
            pa.map_(pa.string(), pa.string()),
        ),
    )
    result = normalise("aws-cur2", _write_parquet(table, tmp_path / "tags.parquet"))
    assert [None if t is None else orjson.loads(t) for t in result["Tags"].to_pylist()] == [
        {"cost_center": "cc-1", "aws_created_by": "root"},
        None,
    ]


def test_cur2_csv_with_json_tags_and_flattened_tag_columns(normalise, tmp_path):
    table = _cur2_rows(
        [{"line_item_line_item_type": "Usage", "line_item_unblended_cost": "1"}]
    ).append_column("resource_tags", pa.array(['{"user_env": "prod"}']))
    table = table.append_column("resource_tags_user_team", pa.array(["blue"]))
    path = tmp_path / "cur2.csv"
    pacsv.write_csv(table, path)
    result = normalise("aws-cur2", path)
    assert dict(result["x_TagsMap"][0].as_py()) == {"env": "prod", "team": "blue"}


def test_legacy_csv_tag_columns_keep_aws_generated_prefixes(normalise, tmp_path):
    header = (
        "bill/BillingPeriodStartDate,bill/BillingPeriodEndDate,bill/PayerAccountId,"
        "lineItem/LineItemType,lineItem/UsageStartDate,lineItem/UsageEndDate,"
        "lineItem/CurrencyCode,lineItem/ProductCode,lineItem/UnblendedCost,"
        "lineItem/LegalEntity,resourceTags/user:Team,resourceTags/aws:createdBy"
    )
    line = (
        "2023-11-01T00:00:00Z,2023-12-01T00:00:00Z,1,Usage,2023-11-02T00:00:00Z,"
        '2023-11-02T01:00:00Z,USD,AmazonS3,0.5,"Amazon Web Services, Inc.",blue,IAMUser:me'
    )
    path = tmp_path / "legacy.csv"
    path.write_text(f"{header}\n{line}\n")
    result = normalise("aws-cur", path)
    assert orjson.loads(result["Tags"][0].as_py()) == {
        "Team": "blue",
        "aws:createdBy": "IAMUser:me",
    }


def test_marketplace_charge_is_provided_by_its_seller(normalise, tmp_path):
    row = {
        "line_item_line_item_type": "Usage",
        "line_item_unblended_cost": "3",
        "bill_billing_entity": "AWS Marketplace",
        "line_item_legal_entity": "Red Hat Inc.",
        "line_item_product_code": "prod-abc123",
    }
    result = normalise("aws-cur2", _write_parquet(_cur2_rows([row]), tmp_path / "mp.parquet"))
    got = result.select(
        ["ProviderName", "PublisherName", "ServiceProviderName", "HostProviderName"]
    )
    assert got.to_pylist()[0] == {
        "ProviderName": "AWS",
        "PublisherName": "Red Hat Inc.",
        "ServiceProviderName": "Red Hat Inc.",
        "HostProviderName": "AWS",
    }


@pytest.mark.read_in_place(ELASTIC_CUR2)
def test_elastic_cur2_csv_fixture_parses(normalise):
    result = normalise("aws-cur2", in_place(ELASTIC_CUR2))
    assert result.num_rows == 6
    assert dict(result["x_TagsMap"][0].as_py())["CostCenter"] == "AI-421"


def test_unknown_line_item_type_is_refused_at_its_row(normalise, tmp_path):
    rows = [
        {"line_item_line_item_type": "Usage", "line_item_unblended_cost": "1"},
        {"line_item_line_item_type": "BrandNewType", "line_item_unblended_cost": "1"},
    ]
    path = _write_parquet(_cur2_rows(rows), tmp_path / "cur2.parquet")
    with pytest.raises(BillFileError) as raised:
        normalise("aws-cur2", path)
    assert (raised.value.row, raised.value.column, raised.value.code) == (
        2,
        "line_item_line_item_type",
        "bad_value",
    )
