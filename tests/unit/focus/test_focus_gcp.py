"""Google Cloud billing exports (NDJSON, Parquet, CSV) normalise to FOCUS; credits are rows."""

from __future__ import annotations

import gzip
from decimal import Decimal

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from tests.conftest import in_place

SAMPLE = "gcp/bigquery_billing_export_v1_sample.ndjson"  # Elastic License 2.0: read in place

RECORD = {
    "billing_account_id": "0123-4567-89AB",
    "service": {"id": "6F81-5844-456A", "description": "Compute Engine"},
    "sku": {"id": "2E27-4F75-95CD", "description": "N1 Predefined Instance Core"},
    "usage_start_time": "2024-03-01T10:00:00Z",
    "usage_end_time": "2024-03-01T11:00:00Z",
    "project": {"id": "shop-prod", "name": "Shop", "labels": [{"key": "team", "value": "web"}]},
    "labels": [{"key": "env", "value": "prod"}, {"key": "team", "value": "checkout"}],
    "location": {"region": "europe-west1", "zone": "europe-west1-b"},
    "cost": 1.5,
    "currency": "EUR",
    "usage": {
        "amount": 3600,
        "unit": "seconds",
        "amount_in_pricing_units": 1,
        "pricing_unit": "hour",
    },
    "credits": [
        {"name": "Sustained use discount", "amount": -0.3, "type": "SUSTAINED_USAGE_DISCOUNT"},
        {
            "name": "Committed use discount: CPU",
            "amount": -0.7,
            "id": "commitments/cud-1",
            "type": "COMMITTED_USAGE_DISCOUNT",
        },
    ],
    "invoice": {"month": "202403"},
    "cost_type": "regular",
}


def _ndjson(path, *records):
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path


@pytest.mark.read_in_place(SAMPLE)
def test_real_export_sample_normalises(normalise):
    table = normalise("gcp-billing", in_place(SAMPLE))
    assert table.num_rows == 10
    assert set(table["ServiceCategory"].to_pylist()) == {"Management and Governance"}
    assert set(table["BillingPeriodStart"].to_pylist()) == {table["BillingPeriodStart"][0].as_py()}


def test_each_credit_becomes_a_credit_row_of_its_usage_row(normalise, tmp_path):
    table = normalise("gcp-billing", _ndjson(tmp_path / "export.json", RECORD))
    rows = table.select(
        ["ChargeCategory", "BilledCost", "EffectiveCost", "x_SourceRow", "CommitmentDiscountId"]
    ).to_pylist()
    assert rows == [
        {
            "ChargeCategory": "Usage",
            "BilledCost": Decimal("1.5"),
            "EffectiveCost": Decimal("1.5"),
            "x_SourceRow": 1,
            "CommitmentDiscountId": None,
        },
        {
            "ChargeCategory": "Credit",
            "BilledCost": Decimal("-0.3"),
            "EffectiveCost": Decimal("-0.3"),
            "x_SourceRow": 1,
            "CommitmentDiscountId": None,
        },
        {
            "ChargeCategory": "Credit",
            "BilledCost": Decimal("-0.7"),
            "EffectiveCost": Decimal("-0.7"),
            "x_SourceRow": 1,
            "CommitmentDiscountId": "commitments/cud-1",
        },
    ]
    assert pc.sum(table["BilledCost"]).as_py() == Decimal("0.5")


def test_credit_rows_have_no_quantities_and_cost_their_amount(normalise, tmp_path):
    table = normalise("gcp-billing", _ndjson(tmp_path / "export.json", RECORD))
    credit = table.slice(2, 1).to_pylist()[0]
    assert credit["ListCost"] == credit["ContractedCost"] == Decimal("-0.7")
    assert credit["PricingQuantity"] is None
    assert credit["ConsumedQuantity"] is None
    assert credit["CommitmentDiscountType"] == "Committed Use Discount"
    assert credit["CommitmentDiscountCategory"] == "Usage"


def test_resource_labels_win_over_project_labels(normalise, tmp_path):
    table = normalise("gcp-billing", _ndjson(tmp_path / "export.json", RECORD))
    assert [dict(m) for m in table["x_TagsMap"].to_pylist()] == [
        {"env": "prod", "team": "checkout"}
    ] * 3


def test_units_periods_and_accounts(normalise, tmp_path):
    row = normalise("gcp-billing", _ndjson(tmp_path / "export.json", RECORD)).to_pylist()[0]
    assert (row["PricingUnit"], row["ConsumedUnit"]) == ("Hours", "Seconds")
    assert row["BillingPeriodStart"].isoformat() == "2024-03-01T00:00:00+00:00"
    assert row["BillingPeriodEnd"].isoformat() == "2024-04-01T00:00:00+00:00"
    assert (row["SubAccountId"], row["SubAccountType"], row["RegionId"]) == (
        "shop-prod",
        "Project",
        "europe-west1",
    )


def test_parquet_export_with_nested_columns_gives_the_same_rows(normalise, tmp_path):
    from_json = normalise("gcp-billing", _ndjson(tmp_path / "export.json", RECORD))
    path = tmp_path / "export.parquet"
    pq.write_table(pa.Table.from_pylist([RECORD]), path)
    from_parquet = normalise("gcp-billing", path)
    columns = ["ChargeCategory", "BilledCost", "ServiceName", "Tags", "ChargePeriodStart"]
    assert from_parquet.select(columns).equals(from_json.select(columns))


def test_flattened_csv_export_with_json_credits(normalise, tmp_path):
    flat = {
        "billing_account_id": "0123-4567-89AB",
        "service.description": "Cloud Storage",
        "usage_start_time": "2024-03-01T10:00:00Z",
        "usage_end_time": "2024-03-01T11:00:00Z",
        "cost": "0.25",
        "currency": "USD",
        "invoice.month": "202403",
        "credits": orjson.dumps([{"name": "Free tier", "amount": -0.05}]).decode(),
        "labels": "[]",
    }
    path = tmp_path / "export.csv"
    pacsv.write_csv(pa.Table.from_pylist([flat]), path)
    table = normalise("gcp-billing", path)
    assert table["ChargeCategory"].to_pylist() == ["Usage", "Credit"]
    assert pc.sum(table["BilledCost"]).as_py() == Decimal("0.20")
    assert table["ServiceCategory"][0].as_py() == "Storage"


def test_gzipped_export_is_read(normalise, tmp_path):
    plain = _ndjson(tmp_path / "export.json", RECORD)
    packed = tmp_path / "export.json.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    lineage = ["x_SourceFile"]
    from_gzip = normalise("gcp-billing", packed).drop_columns(lineage)
    assert from_gzip.equals(normalise("gcp-billing", plain).drop_columns(lineage))
