"""Normalisers stream: batches are bounded by batch_rows and rows keep their source number."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from costplane.billing.focus.columns import focus_arrow_schema
from costplane.billing.focus.sources import get_normaliser
from tests.conftest import TEST_DATA

CUR = TEST_DATA / "focus" / "aws" / "cur_legacy_anonymized_2023-11_days01-07.csv"


def test_every_batch_has_exactly_the_focus_schema_and_at_most_batch_rows():
    batches = list(get_normaliser("aws-cur").batches(CUR, ingestion_id="i", batch_rows=100))
    assert len(batches) > 7
    assert all(0 < b.num_rows <= 100 for b in batches)
    assert sum(b.num_rows for b in batches) == 724
    assert all(b.schema.equals(focus_arrow_schema(), check_metadata=True) for b in batches)


def test_source_rows_continue_across_batches():
    batches = get_normaliser("aws-cur").batches(CUR, ingestion_id="i", batch_rows=50)
    rows = pa.concat_arrays([b.column("x_SourceRow") for b in batches])
    assert rows.to_pylist() == list(range(1, 725))


def _large_cur2(path, rows: int) -> None:
    rng = np.random.default_rng(7)
    cost = rng.random(rows)
    table = pa.table(
        {
            "bill_billing_period_start_date": pa.array(["2023-11-01T00:00:00Z"] * rows),
            "bill_billing_period_end_date": pa.array(["2023-12-01T00:00:00Z"] * rows),
            "bill_payer_account_id": pa.array(["111111111111"] * rows),
            "line_item_line_item_type": pa.array(["Usage"] * rows),
            "line_item_usage_start_date": pa.array(["2023-11-02T00:00:00Z"] * rows),
            "line_item_usage_end_date": pa.array(["2023-11-02T01:00:00Z"] * rows),
            "line_item_currency_code": pa.array(["USD"] * rows),
            "line_item_product_code": pa.array(["AmazonEC2"] * rows),
            "line_item_legal_entity": pa.array(["Amazon Web Services, Inc."] * rows),
            "line_item_unblended_cost": pa.array(cost).cast(pa.string()),
            "line_item_line_item_description": pa.array(["x" * 400] * rows),
        }
    )
    pacsv.write_csv(table, path)


def test_memory_is_bounded_by_the_batch_not_the_file(tmp_path):
    path = tmp_path / "cur2.csv"
    _large_cur2(path, 60_000)
    size = path.stat().st_size
    peak = 0
    for batch in get_normaliser("aws-cur2").batches(path, ingestion_id="i", batch_rows=500):
        assert batch.num_rows <= 500
        peak = max(peak, pa.total_allocated_bytes())
    assert size > 25_000_000
    assert peak < size / 2


def test_parquet_reads_only_the_columns_the_mapping_uses(tmp_path):
    path = tmp_path / "cur2.parquet"
    table = pa.table(
        {
            "bill_billing_period_start_date": ["2023-11-01T00:00:00Z"],
            "bill_billing_period_end_date": ["2023-12-01T00:00:00Z"],
            "bill_payer_account_id": ["1"],
            "line_item_line_item_type": ["Usage"],
            "line_item_usage_start_date": ["2023-11-02T00:00:00Z"],
            "line_item_usage_end_date": ["2023-11-02T01:00:00Z"],
            "line_item_currency_code": ["USD"],
            "line_item_product_code": ["AmazonEC2"],
            "line_item_legal_entity": ["Amazon Web Services, Inc."],
            "line_item_unblended_cost": [1.0],
            "product_durability": ["99.999999999%"],
        }
    )
    pq.write_table(table, path)
    bill = get_normaliser("aws-cur2").open(path, 10)
    assert "product_durability" not in bill.columns
