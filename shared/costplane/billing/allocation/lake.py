"""Allocation over the lake: read one billing period of the FOCUS table, write `chargeback`.

The read is pinned to one snapshot and the write records its id, so a chargeback row says
exactly which bill it came from. Writing replaces this rule set's rows for the period in one
commit: re-running the same rules on the same snapshot leaves the table as it was.
"""

from __future__ import annotations

import hashlib
from datetime import date

import orjson
import pyarrow as pa
from pyiceberg.catalog import Catalog
from pyiceberg.expressions import And, EqualTo, GreaterThanOrEqual, In, LessThan
from pyiceberg.table import Table, Transaction
from pyiceberg.transforms import MonthTransform

from costplane.billing.allocation.engine import allocate
from costplane.billing.allocation.errors import AllocationError
from costplane.billing.allocation.result import Allocation, ChargebackLine
from costplane.billing.allocation.rules import RuleSet
from costplane.billing.allocation.select import PERIOD, required_columns
from costplane.billing.focus.columns import DECIMAL
from costplane.billing.lake.catalog import ensure_namespace, ensure_table
from costplane.billing.lake.commit import commit_with_retry, quiet_empty_deletes
from costplane.billing.lake.table import Lake

CHARGEBACK_TABLE = "chargeback"
SPLIT_METHODS = ("even", "fixed", "proportional")
"""Methods that split one pool between several cost objects: the FOCUS 1.3 Allocated*
columns describe those rows (direct and tag attribution split nothing)."""


def chargeback_arrow_schema() -> pa.Schema:
    string = pa.string()
    return pa.schema(
        [
            pa.field("rule_set", string, nullable=False),
            pa.field("period", pa.date32(), nullable=False),
            pa.field("currency", string, nullable=False),
            pa.field("cost_object", string, nullable=False),
            pa.field("amount", DECIMAL, nullable=False),
            pa.field("rule", string, nullable=False),
            pa.field("step", string, nullable=False),
            pa.field("method", string, nullable=False),
            pa.field("cost_column", string, nullable=False),
            pa.field("rules_digest", string, nullable=False),
            pa.field("source_snapshot_id", pa.int64()),
            pa.field("AllocatedMethodId", string),
            pa.field("AllocatedMethodDetails", string),
            pa.field("AllocatedResourceId", string),
        ]
    )


def rules_digest(rules: RuleSet) -> str:
    """Identifies the rules that produced a row (SHA-256 of their canonical JSON, 16 hex)."""
    canonical = orjson.dumps(
        rules.model_dump(mode="json", by_alias=True), option=orjson.OPT_SORT_KEYS
    )
    return hashlib.sha256(canonical).hexdigest()[:16]


def month_bounds(period: date) -> tuple[str, str]:
    start = period.replace(day=1)
    end = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    return f"{start.isoformat()}T00:00:00+00:00", f"{end.isoformat()}T00:00:00+00:00"


def available_periods(table: Table) -> list[date]:
    """Billing months the FOCUS table holds, from partition metadata (no data read)."""
    if table.current_snapshot() is None:
        return []
    months = {
        row["partition"]["billing_month"]
        for row in table.inspect.partitions().select(["partition"]).to_pylist()
    }
    return sorted(date(1970 + m // 12, m % 12 + 1, 1) for m in months if m is not None)


def allocate_period(lake: Lake, rules: RuleSet, period: date) -> tuple[Allocation, int]:
    """Allocate one billing month of the lake's current snapshot; returns the snapshot id."""
    table = lake.focus.refresh()
    snapshot = table.current_snapshot()
    if snapshot is None:
        raise AllocationError("empty_period", "the lake holds no bills yet")
    start, end = month_bounds(period)
    scan = table.scan(
        row_filter=And(
            GreaterThanOrEqual(term=PERIOD, value=start), LessThan(term=PERIOD, value=end)
        ),
        selected_fields=tuple(sorted(required_columns(rules) & set(table.schema().column_names))),
        snapshot_id=snapshot.snapshot_id,
    )
    allocation = allocate(rules, scan.to_arrow_batch_reader())
    if allocation.rows == 0:
        held = ", ".join(f"{p:%Y-%m}" for p in available_periods(table)) or "none"
        raise AllocationError(
            "empty_period",
            f"no bill lines for billing period {period:%Y-%m} (the lake has: {held})",
        )
    return allocation, snapshot.snapshot_id


def chargeback_table(catalog: Catalog, namespace: str) -> Table:
    """Load `chargeback`, creating it (partitioned by month of `period`) on first use."""
    identifier = (namespace, CHARGEBACK_TABLE)

    def create() -> None:
        transaction = catalog.create_table_transaction(
            identifier, schema=chargeback_arrow_schema(), properties={"format-version": "2"}
        )
        with transaction.update_spec() as spec:
            spec.add_field("period", MonthTransform(), "period_month")
        transaction.commit_transaction()

    ensure_namespace(catalog, namespace)
    return ensure_table(catalog, identifier, create)


def chargeback_rows(allocation: Allocation, digest: str, snapshot_id: int | None) -> pa.Table:
    """The allocation as rows of the `chargeback` table."""
    rows = [_row(line, allocation, digest, snapshot_id) for line in allocation.lines]
    return pa.Table.from_pylist(rows, schema=chargeback_arrow_schema())


def _row(
    line: ChargebackLine, allocation: Allocation, digest: str, snapshot_id: int | None
) -> dict[str, object]:
    split = line.method in SPLIT_METHODS and not line.unallocated
    details = None
    if split and line.share is not None:
        element: dict[str, object] = {"AllocatedRatio": float(line.share.ratio)}
        if line.share.quantity is not None:
            element |= {"UsageQuantity": float(line.share.quantity), "UsageUnit": line.share.unit}
        details = orjson.dumps({"Elements": [element]}).decode()
    return {
        "rule_set": allocation.rule_set,
        "period": line.period,
        "currency": line.currency,
        "cost_object": line.cost_object,
        "amount": line.amount,
        "rule": line.rule,
        "step": line.step,
        "method": line.method,
        "cost_column": allocation.cost_column,
        "rules_digest": digest,
        "source_snapshot_id": snapshot_id,
        "AllocatedMethodId": line.rule if split else None,
        "AllocatedMethodDetails": details,
        "AllocatedResourceId": line.cost_object if split else None,
    }


def write_chargeback(
    lake: Lake, allocation: Allocation, rules: RuleSet, snapshot_id: int | None
) -> int:
    """Replace this rule set's rows for the allocated periods, in one commit; returns the
    chargeback table's new snapshot id."""
    rows = chargeback_rows(allocation, rules_digest(rules), snapshot_id)
    periods = sorted({s.period.isoformat() for s in allocation.sources})
    replaced = And(
        EqualTo(term="rule_set", value=allocation.rule_set), In(term="period", literals=periods)
    )

    def stage(_: Table, transaction: Transaction) -> None:
        with quiet_empty_deletes():
            if rows.num_rows:
                transaction.overwrite(rows, overwrite_filter=replaced)
            else:
                transaction.delete(replaced)

    table = commit_with_retry(chargeback_table(lake.catalog, lake.namespace), stage)
    snapshot = table.current_snapshot()
    assert snapshot is not None
    return snapshot.snapshot_id
