"""The lake's side of AI companion reports (`costplane.billing.focus.ai_companions`): an ingest of
usage reads the days its cost report already covers; an ingest of a cost report writes the
usage rows of its months again, reported where it covers them, in the same snapshot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
from pyiceberg.table import Table

from costplane.billing.focus.ai_companions import (
    Companions,
    UsageBasis,
    covered_days,
    pair_of,
    reported,
)
from costplane.billing.focus.ai_costs import rebase
from costplane.billing.focus.columns import focus_arrow_schema
from costplane.billing.focus.registry import DEFAULT_BATCH_ROWS, Normaliser
from costplane.billing.lake.restate import restatement_filter
from costplane.billing.lake.table import RestatementKey

Month = tuple[str, datetime]
"""An organisation (BillingAccountId) and billing month."""


def _months(batch: pa.RecordBatch) -> set[Month]:
    grouped = pa.Table.from_batches([batch]).group_by(["BillingAccountId", "BillingPeriodStart"])
    return {
        (row["BillingAccountId"], row["BillingPeriodStart"])
        for row in grouped.aggregate([]).to_pylist()
    }


def _rows(table: Table, key: RestatementKey) -> Iterator[pa.RecordBatch]:
    """The lake's rows of `key`, as FOCUS batches."""
    names = focus_arrow_schema().names
    for batch in table.scan(row_filter=restatement_filter({key})).to_arrow_batch_reader():
        if batch.num_rows:
            yield batch.select(names).cast(focus_arrow_schema())


class Companion:
    """A usage or cost report normaliser, reading through the lake's view of its companion;
    `basis` counts the usage rows written, by cost basis."""

    def __init__(self, inner: Normaliser, pair: Companions, table: Table) -> None:
        self.name = inner.name
        self.inner = inner
        self.pair = pair
        self.table = table
        self.covered: dict[Month, set[str]] = {}
        self.basis = UsageBasis()

    @property
    def is_cost(self) -> bool:
        return self.name == self.pair.cost

    def batches(
        self, path: Path, *, ingestion_id: str, batch_rows: int = DEFAULT_BATCH_ROWS
    ) -> Iterator[pa.RecordBatch]:
        for batch in self.inner.batches(path, ingestion_id=ingestion_id, batch_rows=batch_rows):
            if self.is_cost:
                for month in _months(batch):
                    self.covered.setdefault(month, set())
                self._cover(batch)
                yield batch
                continue
            covered: set[str] = set()
            for month in _months(batch):
                covered |= self._lake_covered(month)
            if covered:
                batch = rebase(batch, reported(batch, covered, self.pair))
            self.basis = self.basis.add(batch)
            yield batch

    def _cover(self, batch: pa.RecordBatch) -> None:
        for month in _months(batch):
            mine = pc.and_(
                pc.equal(batch["BillingAccountId"], month[0]),
                pc.equal(
                    batch["BillingPeriodStart"],
                    pa.scalar(month[1], batch["BillingPeriodStart"].type),
                ),
            )
            self.covered[month] |= covered_days(batch.filter(mine))

    def _lake_covered(self, month: Month) -> set[str]:
        if month not in self.covered:
            key = RestatementKey(self.pair.cost, *month)
            self.covered[month] = set().union(*(covered_days(b) for b in _rows(self.table, key)))
        return self.covered[month]

    def carry_usage(
        self, keys: set[RestatementKey], write: Callable[[pa.RecordBatch], None]
    ) -> tuple[int, set[RestatementKey]]:
        """A cost ingest: write the lake's usage rows of the cost report's months again,
        reported on the days it covers now and priced on the others; returns the rows
        written and their keys, which the ingest restates too."""
        if not self.is_cost:
            return 0, set()
        rows = 0
        usage_keys: set[RestatementKey] = set()
        for key in sorted(keys):
            if key.source != self.name:
                continue
            usage = RestatementKey(
                self.pair.usage, key.billing_account_id, key.billing_period_start
            )
            covered = self.covered.get((key.billing_account_id, key.billing_period_start), set())
            for batch in _rows(self.table, usage):
                batch = rebase(batch, reported(batch, covered, self.pair))
                self.basis = self.basis.add(batch)
                write(batch)
                rows += batch.num_rows
                usage_keys.add(usage)
        return rows, usage_keys


def companion(normaliser: Normaliser, table: Table) -> Companion | None:
    """`normaliser` reading through its companion, when it has one."""
    pair = pair_of(normaliser.name)
    return Companion(normaliser, pair, table) if pair else None
