"""What a delivery would double or replace, found before it commits.

Restatement replaces a source's rows of a billing account and period; it cannot see the
same bill taken under another source name (the key would differ, and the bill would count
twice), nor does it say whose rows it replaces. So before a commit: a file whose checksum
the lake holds under another source is refused, as are rows whose account and period the
lake holds from another source (unless the caller asked to replace them), and the rows and
files a restatement replaces are counted, with the totals before and after, for the caller
to report or to confirm.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path

import pyarrow as pa
from pydantic import BaseModel, ConfigDict
from pyiceberg.expressions import And, NotIn
from pyiceberg.table import Table

from costplane.billing.focus.ai_companions import companions_of
from costplane.billing.lake.manifest import Fingerprint, IngestedFile
from costplane.billing.lake.restate import accounts_and_periods, restatement_filter
from costplane.billing.lake.table import RESTATEMENT_KEY, RestatementKey, distinct_keys
from costplane.billing.lake.totals import GROUP, PeriodTotal, Totals


class IngestRefused(ValueError):
    """An ingest refused before anything was committed; `code` says why, stably."""

    def __init__(self, message: str, code: str) -> None:
        self.code = code
        super().__init__(message)


class Replacement(BaseModel):
    """The lake's rows a restatement replaces: how many, from which other files and sources,
    how many it keeps (the other Azure dataset's part, see `datasets`), and the totals of its
    keys before and after."""

    model_config = ConfigDict(frozen=True)

    rows: int
    kept: int = 0
    files: list[str]
    sources: list[str]
    before: list[PeriodTotal]
    after: list[PeriodTotal]


def refuse_duplicates(
    fingerprints: Mapping[Path, Fingerprint], known: Mapping[str, IngestedFile], source: str
) -> None:
    """The same content twice in one delivery, or already in the lake under another source."""
    first: dict[str, Path] = {}
    for path, fingerprint in fingerprints.items():
        if fingerprint.sha256 in first:
            message = f"{path} and {first[fingerprint.sha256]} are the same file (same SHA-256)"
            raise IngestRefused(message, "same_file_twice")
        first[fingerprint.sha256] = path
    for entry in known.values():
        if entry.sha256 in first and entry.source != source:
            path = first[entry.sha256]
            message = (
                f"{path} is already in the lake as source {entry.source} (ingested from"
                f" {entry.path}); taken as {source} too it would count twice:"
                f" ingest it with --source {entry.source}"
            )
            raise IngestRefused(message, "file_under_another_source")


def other_source_keys(
    table: Table, keys: Iterable[RestatementKey], source: str
) -> set[RestatementKey]:
    """The keys of other sources that hold the billing accounts and periods of `keys`; a
    companion source (an AI vendor's usage beside its cost report) is not another bill."""
    keys = set(keys)
    if not keys:
        return set()
    mine = sorted({source, *companions_of(source)})
    row_filter = And(accounts_and_periods(keys), NotIn(term="x_SourceName", literals=mine))
    scan = table.scan(row_filter=row_filter, selected_fields=RESTATEMENT_KEY)
    found: set[RestatementKey] = set()
    for batch in scan.to_arrow_batch_reader():
        found |= distinct_keys(pa.Table.from_batches([batch]))
    return found


def replacement(
    table: Table,
    keys: set[RestatementKey],
    source: str,
    known: Mapping[str, IngestedFile],
    delivered: set[str],
    after: list[PeriodTotal],
    kept: tuple[int, set[RestatementKey]] = (0, set()),
) -> Replacement | None:
    """What restating `keys` replaces in the lake; None when the lake holds none of them.
    `kept`: the rows of the lake written again, and the keys they are of; a file whose keys
    are all among those is combined with, not replaced."""
    if not keys:
        return None
    totals = Totals()
    rows = 0
    columns = (*GROUP, "BilledCost", "EffectiveCost")
    scan = table.scan(row_filter=restatement_filter(keys), selected_fields=columns)
    for batch in scan.to_arrow_batch_reader():
        if batch.num_rows:
            totals.add(pa.RecordBatch.from_arrays(batch.columns, names=batch.schema.names))
            rows += batch.num_rows
    if rows == 0:
        return None
    kept_rows, combined = kept
    files = sorted(
        path
        for path, entry in known.items()
        if path not in delivered
        and entry.restatement_keys() & keys
        and not entry.restatement_keys() <= combined
    )
    return Replacement(
        rows=rows - kept_rows,
        kept=kept_rows,
        files=files,
        sources=sorted({k.source for k in keys} - {source}),
        before=totals.result(),
        after=after,
    )
