"""Replace exactly the rows of some restatement keys with new data files, in one snapshot.

One `overwrite` snapshot removes the old files and adds the new ones, so a reader (or a
time-travel query) sees either the old bill or the new one, never a gap between them.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable

from pyiceberg.expressions import (
    AlwaysFalse,
    And,
    BooleanExpression,
    EqualTo,
    In,
    Not,
    Or,
)
from pyiceberg.io.pyarrow import ArrowScan
from pyiceberg.manifest import DataFile
from pyiceberg.table import FileScanTask, Table, Transaction

from costplane.billing.focus.columns import focus_arrow_schema
from costplane.billing.lake.datafiles import DataFileWriter, key_of_file
from costplane.billing.lake.table import RESTATEMENT_KEY, RestatementKey


def restatement_filter(keys: Iterable[RestatementKey]) -> BooleanExpression:
    """The rows of `keys`: per source, the billing accounts and periods being replaced."""
    by_source: dict[str, list[RestatementKey]] = defaultdict(list)
    for key in keys:
        by_source[key.source].append(key)
    terms = (
        And(EqualTo(term="x_SourceName", value=source), accounts_and_periods(of_source))
        for source, of_source in sorted(by_source.items())
    )
    empty: BooleanExpression = AlwaysFalse()
    return functools.reduce(_or, terms, empty)


def accounts_and_periods(keys: Iterable[RestatementKey]) -> BooleanExpression:
    """The rows of the billing accounts and periods of `keys`, whatever their source."""
    accounts: dict[str, set[str]] = defaultdict(set)
    for key in keys:
        accounts[key.billing_period_start.isoformat()].add(key.billing_account_id)
    terms = (
        And(
            EqualTo(term="BillingPeriodStart", value=period),
            In(term="BillingAccountId", literals=sorted(ids)),
        )
        for period, ids in sorted(accounts.items())
    )
    empty: BooleanExpression = AlwaysFalse()
    return functools.reduce(_or, terms, empty)


def _or(left: BooleanExpression, right: BooleanExpression) -> BooleanExpression:
    return Or(left, right)


class Restatement:
    """Stages "the rows of `keys` are now `files`" on a transaction; see commit_with_retry.

    A data file holding only restated keys is dropped whole (decided from its bounds). A file
    that mixes them with other rows, as another engine may write, is rewritten without them;
    the rewritten files of an attempt that lost a commit race are deleted before re-staging.
    """

    def __init__(
        self,
        keys: frozenset[RestatementKey],
        files: list[DataFile],
        properties: dict[str, str],
        prefix: str,
    ) -> None:
        self.keys = keys
        self.files = files
        self.properties = properties
        self._prefix = prefix
        self._attempt = 0
        self._rewrites: DataFileWriter | None = None

    def stage(self, table: Table, transaction: Transaction) -> None:
        self.discard_rewrites()
        self._attempt += 1
        self._rewrites = DataFileWriter(table, f"{self._prefix}-rewrite{self._attempt}")
        row_filter = restatement_filter(self.keys)
        schema = table.schema()
        update = transaction.update_snapshot(snapshot_properties=self.properties)
        with update.overwrite() as snapshot:
            snapshot.delete_by_predicate(row_filter)
            for task in table.scan(row_filter=row_filter).plan_files():
                key = key_of_file(task.file, schema)
                if key is None:
                    replaced = self._rewrite(table, task, row_filter)
                else:
                    replaced = key in self.keys
                if replaced:
                    snapshot.delete_data_file(task.file)
            for data_file in [*self.files, *self._rewrites.close()]:
                snapshot.append_data_file(data_file)

    def discard_rewrites(self) -> None:
        """Delete the rewritten files of the last attempt (call when it did not commit)."""
        if self._rewrites is not None:
            self._rewrites.abort()
            self._rewrites = None

    def _rewrite(self, table: Table, task: FileScanTask, row_filter: BooleanExpression) -> bool:
        """Copy the rows of `task` outside `row_filter` to new files; False if none matched."""
        assert self._rewrites is not None
        keys_only = table.schema().select(*RESTATEMENT_KEY)
        scan = ArrowScan(table.metadata, table.io, keys_only, row_filter)
        if scan.to_table([task]).num_rows == 0:
            return False
        kept = ArrowScan(table.metadata, table.io, table.schema(), Not(row_filter))
        names = focus_arrow_schema().names
        for batch in kept.to_record_batches([task]):
            self._rewrites.write(batch.select(names).cast(focus_arrow_schema()))
        return True
