"""Read the lake: SQL over the FOCUS table with DuckDB, exports, and the commit history.

pyiceberg plans the scan (partition and metrics pruning, delete files written by other
engines) and streams Arrow batches; DuckDB reads that stream, so no DuckDB extension is
needed and memory stays bounded by what the query itself keeps.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import duckdb
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from pydantic import BaseModel, ConfigDict

from costplane.billing.lake.table import Lake
from costplane.billing.lake.writer import SNAPSHOT_FILES, SNAPSHOT_INGESTION_ID, SNAPSHOT_SOURCE

ExportFormat = Literal["parquet", "csv"]
TABLE_NAME = "focus"
CUSTOM_PREFIX = "x_"
SECONDS = pa.timestamp("s", tz="UTC")


def focus_reader(lake: Lake) -> pa.RecordBatchReader:
    """The current snapshot of the FOCUS table as a stream of record batches."""
    return lake.focus.refresh().scan().to_arrow_batch_reader()


def sql(lake: Lake, query: str) -> pa.Table:
    """Run `query` in DuckDB with the FOCUS table as `focus`, in UTC (as FOCUS dates are).

    `focus` is a stream, read once per query: to use it twice, name it in a CTE
    (`WITH f AS MATERIALIZED (SELECT * FROM focus) …`).
    """
    with duckdb.connect() as connection:
        connection.execute("SET TimeZone = 'UTC'")
        connection.register(TABLE_NAME, focus_reader(lake))
        relation = connection.sql(query)
        return relation.to_arrow_table() if relation is not None else pa.table({})


def export(lake: Lake, fmt: ExportFormat, out: Path, *, focus_only: bool = False) -> int:
    """Write the table to `out` as Parquet or CSV, batch by batch; return the rows written.

    `focus_only` leaves out our `x_` columns, for consumers that want the spec's columns.
    CSV has no map type, so the `x_TagsMap` column is left out of it (`Tags` holds the same
    JSON), and timestamps are written as the spec's ISO 8601 `YYYY-MM-DDTHH:MM:SSZ`.
    """
    reader = focus_reader(lake)
    names = [
        name
        for name in reader.schema.names
        if not (focus_only and name.startswith(CUSTOM_PREFIX))
        and not (fmt == "csv" and pa.types.is_map(reader.schema.field(name).type))
    ]
    batches = (batch.select(names) for batch in reader)
    if fmt == "parquet":
        return _write_parquet(batches, reader.schema, names, out)
    return _write_csv(batches, out)


def _write_parquet(
    batches: Iterator[pa.RecordBatch], schema: pa.Schema, names: list[str], out: Path
) -> int:
    rows = 0
    with pq.ParquetWriter(out, pa.schema([schema.field(n) for n in names])) as writer:
        for batch in batches:
            writer.write_batch(batch)
            rows += batch.num_rows
    return rows


def _write_csv(batches: Iterator[pa.RecordBatch], out: Path) -> int:
    rows = 0
    writer: pacsv.CSVWriter | None = None
    try:
        for batch in map(_iso_timestamps, batches):
            writer = writer or pacsv.CSVWriter(out, batch.schema)
            writer.write_batch(batch)
            rows += batch.num_rows
    finally:
        if writer is not None:
            writer.close()
    return rows


def _iso_timestamps(batch: pa.RecordBatch) -> pa.RecordBatch:
    columns = [
        pc.strftime(column.cast(SECONDS, safe=False), format="%Y-%m-%dT%H:%M:%SZ")
        if pa.types.is_timestamp(column.type)
        else column
        for column in batch.columns
    ]
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


class Commit(BaseModel):
    """One snapshot of the FOCUS table, as `costplane lake history` shows it."""

    model_config = ConfigDict(frozen=True)

    snapshot_id: int
    parent_id: int | None
    committed_at: datetime
    operation: str
    added_rows: int
    deleted_rows: int
    total_rows: int
    source: str | None
    ingestion_id: str | None
    files: list[str]


def history(lake: Lake) -> list[Commit]:
    """Every snapshot, oldest first, with what it changed and which ingest made it."""
    commits = []
    for snapshot in lake.focus.refresh().snapshots():
        summary = snapshot.summary
        extra = summary.additional_properties if summary is not None else {}
        commits.append(
            Commit(
                snapshot_id=snapshot.snapshot_id,
                parent_id=snapshot.parent_snapshot_id,
                committed_at=datetime.fromtimestamp(snapshot.timestamp_ms / 1000, UTC),
                operation=summary.operation.value if summary is not None else "unknown",
                added_rows=int(extra.get("added-records", 0)),
                deleted_rows=int(extra.get("deleted-records", 0)),
                total_rows=int(extra.get("total-records", 0)),
                source=extra.get(SNAPSHOT_SOURCE),
                ingestion_id=extra.get(SNAPSHOT_INGESTION_ID),
                files=orjson.loads(extra.get(SNAPSHOT_FILES, "[]")),
            )
        )
    return commits
