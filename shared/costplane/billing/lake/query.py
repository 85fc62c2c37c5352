"""Read the lake: sandboxed SQL over its tables with DuckDB, exports, and the commit history.

pyiceberg plans each scan (partition and metrics pruning, delete files written by other
engines) and hands DuckDB Arrow data, so no DuckDB extension (and no file access) is needed.
Exports stream batches, so their memory is bounded by one batch.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import duckdb
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import sqlglot
from pydantic import BaseModel, ConfigDict
from pyiceberg.table import Table
from sqlglot import exp

from costplane.billing.lake.table import Lake
from costplane.billing.lake.writer import SNAPSHOT_FILES, SNAPSHOT_INGESTION_ID, SNAPSHOT_SOURCE

ExportFormat = Literal["parquet", "csv"]
CUSTOM_PREFIX = "x_"
SECONDS = pa.timestamp("s", tz="UTC")


def focus_reader(lake: Lake) -> pa.RecordBatchReader:
    """The current snapshot of the FOCUS table as a stream of record batches."""
    return lake.focus.refresh().scan().to_arrow_batch_reader()


class EmptyQuery(ValueError):
    """A query with no statement in it (blank, or only comments and semicolons)."""


def lake_tables(lake: Lake) -> dict[str, Table]:
    """Every table of the lake's namespace by name: `focus`, `ingested_files`, `chargeback`…"""
    return {
        identifier[-1].lower(): lake.catalog.load_table(identifier)
        for identifier in lake.catalog.list_tables(lake.namespace)
    }


def named_tables(query: str, names: Iterable[str]) -> set[str]:
    """Which of `names` the query reads (sqlglot's parse; a word match where it cannot parse).
    EmptyQuery when it holds no statement."""
    names = {name.lower() for name in names}
    try:
        statements = [s for s in sqlglot.parse(query, read="duckdb") if s is not None]
    except sqlglot.errors.SqlglotError:
        words = set(re.findall(r"\w+", query.lower()))
        if not words:
            raise EmptyQuery("the query is empty") from None
        return names & words
    if not statements:
        raise EmptyQuery("the query is empty")
    return names & {t.name.lower() for s in statements for t in s.find_all(exp.Table)}


def sql(lake: Lake, query: str) -> pa.Table:
    """Run `query` read-only in a sandboxed DuckDB, in UTC (as FOCUS dates are).

    The lake's tables the query names (`focus`, `chargeback`, …) are materialised from their
    current snapshots as Arrow tables, so a query may name each any number of times. Then
    external access is disabled and the configuration locked: no file is read or written
    (COPY, read_csv, ATTACH, INSTALL, EXPORT fail), and the query cannot unlock it. What it
    creates lives in an in-memory database dropped afterwards.
    """
    tables = lake_tables(lake)
    named = named_tables(query, tables)
    with duckdb.connect(":memory:") as connection:
        connection.execute("SET TimeZone = 'UTC'")
        for name in sorted(named):
            connection.register(name, tables[name].refresh().scan().to_arrow())
        connection.execute("SET enable_external_access = false")
        connection.execute("SET lock_configuration = true")
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
