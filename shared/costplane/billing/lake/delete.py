"""Delete a source's bill of one billing period (optionally one billing account) from the lake.

A restatement replaces the keys a delivery holds; a key no file will ever hold again (a
bill ingested under the wrong period) needs an explicit delete. It is a restatement with
no new files: one snapshot, audited in the table's history like an ingest (who: the
snapshot's `costplane.source`, what: `costplane.deleted`), and the manifest forgets the
files whose rows it removed, so ingesting one of them again puts its rows back.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

import orjson
import pyarrow as pa
from pydantic import BaseModel, ConfigDict
from pyiceberg.expressions import And, BooleanExpression, EqualTo, GreaterThanOrEqual, LessThan
from pyiceberg.table import Table

from costplane.billing.lake.commit import commit_with_retry
from costplane.billing.lake.manifest import Manifest
from costplane.billing.lake.restate import Restatement
from costplane.billing.lake.table import RESTATEMENT_KEY, Lake, RestatementKey, distinct_keys
from costplane.billing.lake.writer import SNAPSHOT_FILES, SNAPSHOT_INGESTION_ID, SNAPSHOT_SOURCE

SNAPSHOT_DELETED = "costplane.deleted"


class Deletion(BaseModel):
    """What a delete removed: the keys and their rows, and the snapshot that did it."""

    model_config = ConfigDict(frozen=True)

    source: str
    period: str
    account: str | None
    keys: list[tuple[str, str, datetime]]
    rows: int
    snapshot_id: int | None


def month(period: str) -> datetime:
    """`YYYY-MM` as the first instant of that month, UTC (ValueError if not one)."""
    return datetime.strptime(period, "%Y-%m").replace(tzinfo=UTC)


def delete_bill(
    lake: Lake,
    source: str,
    period: str,
    account: str | None = None,
    *,
    confirm: Callable[[Deletion], bool] | None = None,
) -> Deletion:
    """Delete the rows of `source` billed in `period` (`YYYY-MM`), of `account` if given.

    `confirm` is shown what would go first; False deletes nothing (snapshot_id stays None).
    """
    start = month(period)
    end = (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )
    row_filter: BooleanExpression = And(
        EqualTo(term="x_SourceName", value=source),
        And(
            GreaterThanOrEqual(term="BillingPeriodStart", value=start.isoformat()),
            LessThan(term="BillingPeriodStart", value=end.isoformat()),
        ),
    )
    if account is not None:
        row_filter = And(row_filter, EqualTo(term="BillingAccountId", value=account))
    table = lake.focus.refresh()
    keys, rows = _keys_and_rows(table, row_filter)
    deletion = Deletion(
        source=source,
        period=period,
        account=account,
        keys=[(k.source, k.billing_account_id, k.billing_period_start) for k in sorted(keys)],
        rows=rows,
        snapshot_id=None,
    )
    if not keys or (confirm is not None and not confirm(deletion)):
        return deletion
    ingestion_id = f"delete-{uuid.uuid4().hex}"
    what = orjson.dumps(deletion.model_dump(mode="json", include={"source", "period", "account"}))
    restatement = Restatement(
        frozenset(keys),
        [],
        {
            SNAPSHOT_INGESTION_ID: ingestion_id,
            SNAPSHOT_SOURCE: source,
            SNAPSHOT_FILES: "[]",
            SNAPSHOT_DELETED: what.decode(),
        },
        ingestion_id,
    )
    Manifest(lake.catalog, lake.namespace).forget((), keys)
    committed = commit_with_retry(table, restatement.stage)
    snapshot = next(
        s
        for s in reversed(committed.snapshots())
        if s.summary is not None
        and s.summary.additional_properties.get(SNAPSHOT_INGESTION_ID) == ingestion_id
    )
    return deletion.model_copy(update={"snapshot_id": snapshot.snapshot_id})


def _keys_and_rows(table: Table, row_filter: BooleanExpression) -> tuple[set[RestatementKey], int]:
    keys: set[RestatementKey] = set()
    rows = 0
    for batch in table.scan(
        row_filter=row_filter, selected_fields=RESTATEMENT_KEY
    ).to_arrow_batch_reader():
        keys |= distinct_keys(pa.Table.from_batches([batch]))
        rows += batch.num_rows
    return keys, rows
