"""Reading the lake back: DuckDB in UTC, exports that keep the FOCUS types."""

from __future__ import annotations

import time

import pyarrow as pa
import pyarrow.parquet as pq

from costplane.billing.lake.query import export, sql
from costplane.billing.lake.writer import ingest


def test_sql_works_in_utc_whatever_the_local_time_zone(lake, normaliser, rows, bill, monkeypatch):
    ingest(lake, normaliser, [bill("jan.arrows", rows(1, 1))])
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        month = sql(
            lake,
            "SELECT date_trunc('month', BillingPeriodStart) = BillingPeriodStart AS ok FROM focus",
        )
    finally:
        monkeypatch.undo()
        time.tzset()
    assert month.to_pylist() == [{"ok": True}]


def test_parquet_export_keeps_decimals_and_utc_timestamps(lake, normaliser, rows, bill, tmp_path):
    ingest(lake, normaliser, [bill("jan.arrows", rows(2, 1, cost="0.0000000001"))])
    assert export(lake, "parquet", tmp_path / "out.parquet") == 2
    exported = pq.read_table(tmp_path / "out.parquet")
    assert exported.schema.field("BilledCost").type == pa.decimal128(38, 10)
    assert exported.schema.field("ChargePeriodStart").type == pa.timestamp("us", tz="UTC")
    assert [str(v) for v in exported["BilledCost"].to_pylist()] == ["1E-10", "1E-10"]
