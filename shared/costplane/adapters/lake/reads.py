"""Read the FOCUS lake for budgets: only the columns and charge periods a query needs.

pyiceberg prunes data files by the ChargePeriodStart bounds in their metadata and streams
Arrow batches of the selected columns; DuckDB aggregates the stream, so memory is bounded by
the groups a query keeps, not by the size of the bill.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import duckdb
import pyarrow as pa
from pyiceberg.expressions import And, GreaterThanOrEqual, LessThan

from costplane.billing.lake.table import Lake

TABLE = "focus"


def scan(
    lake: Lake, columns: Iterable[str], start: datetime, end: datetime
) -> pa.RecordBatchReader:
    """Rows charged in [start, end), with only `columns`."""
    row_filter = And(
        GreaterThanOrEqual(term="ChargePeriodStart", value=start.isoformat()),
        LessThan(term="ChargePeriodStart", value=end.isoformat()),
    )
    table = lake.focus.refresh()
    return table.scan(row_filter=row_filter, selected_fields=tuple(columns)).to_arrow_batch_reader()


def query(
    rows: pa.RecordBatchReader, sql: str, parameters: Mapping[str, Any] | None = None
) -> pa.Table:
    """Run `sql` over `rows` (named `focus`) in UTC; `$name` parameters bind `parameters`."""
    with duckdb.connect() as connection:
        connection.execute("SET TimeZone = 'UTC'")
        connection.register(TABLE, rows)
        table: pa.Table = connection.sql(sql, params=dict(parameters or {})).to_arrow_table()
        return table
