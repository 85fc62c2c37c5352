"""Ingest bill files into the FOCUS table by restatement: all of them, or nothing.

The files of one call are one delivery (e.g. the parts of a CUR export): they are normalised
batch by batch into data files, then committed in one snapshot that replaces, for every
(x_SourceName, BillingAccountId, BillingPeriodStart) they contain, exactly that key's rows.
A file that fails to normalise (BillFileError) aborts the ingest before anything is
committed, and its data files are deleted.

Nothing is doubled or replaced silently (see `conflicts`): a file is refused under a source it
is not (`detect`), or when the lake holds it under another source; rows of a billing account
and period the lake holds from another source are refused unless `replace` is set, and then
replace them; and the report says which rows and files a restatement replaced, with the
totals before and after, which `confirm` may refuse when they came from other files.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, cast

import orjson
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field
from pyiceberg.exceptions import CommitFailedException, ValidationException
from pyiceberg.table import Table

from costplane.billing.focus.ai_companions import UsageBasis
from costplane.billing.focus.columns import focus_arrow_schema
from costplane.billing.focus.detect import check_source
from costplane.billing.focus.registry import DEFAULT_BATCH_ROWS, Normaliser
from costplane.billing.lake.commit import commit_with_retry
from costplane.billing.lake.companions import Companion, companion
from costplane.billing.lake.conflicts import (
    IngestRefused,
    Replacement,
    other_source_keys,
    refuse_duplicates,
    replacement,
)
from costplane.billing.lake.datafiles import DataFileWriter, split_by_file_key
from costplane.billing.lake.datasets import (
    Combination,
    Survey,
    amortised_keys,
    carried,
    combine,
    combines,
    kept,
)
from costplane.billing.lake.manifest import AccountPeriod, Fingerprint, IngestedFile, Manifest
from costplane.billing.lake.restate import Restatement
from costplane.billing.lake.table import Lake, RestatementKey
from costplane.billing.lake.totals import PeriodTotal, Totals

OnBatch = Callable[[Path, int], None]
"""Called after each batch with the file and the rows it added."""
Confirm = Callable[[Replacement], bool]
"""Asked before rows that came from other files are replaced; False refuses the ingest."""

SNAPSHOT_INGESTION_ID = "costplane.ingestion-id"
SNAPSHOT_SOURCE = "costplane.source"
SNAPSHOT_FILES = "costplane.files"


class FileOutcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    path: str
    sha256: str
    status: Literal["ingested", "unchanged", "empty"]
    rows: int
    left_out: int = Field(
        0, description="Rows read but not kept: the other Azure export holds them (datasets)."
    )


class IngestReport(BaseModel):
    """What an ingest did: per file, and per billing period and currency of what it wrote."""

    model_config = ConfigDict(frozen=True)

    ingestion_id: str
    source: str
    snapshot_id: int | None
    files: list[FileOutcome]
    totals: list[PeriodTotal]
    replaced: Replacement | None = None
    usage: UsageBasis | None = Field(
        None, description="AI usage rows written, by cost basis (AI usage and cost sources)."
    )

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.totals)


@dataclass(frozen=True, slots=True)
class _Normalised:
    fingerprint: Fingerprint
    read: int
    rows: int
    keys: frozenset[RestatementKey]
    totals: list[PeriodTotal]


def ingest(
    lake: Lake,
    normaliser: Normaliser,
    paths: Sequence[Path],
    *,
    progress: OnBatch | None = None,
    batch_rows: int = DEFAULT_BATCH_ROWS,
    replace: bool = False,
    confirm: Confirm | None = None,
) -> IngestReport:
    """Ingest `paths` (one delivery of `normaliser.name`) and report what changed.

    Files the manifest holds unchanged are skipped, unless a changed file restates one of
    their keys: then they are ingested again, or their rows would be lost. `batch_rows`
    bounds memory: the rows one normalised batch holds. `replace`: rows of the delivery's
    billing accounts and periods from other sources are replaced (else IngestRefused).
    """
    manifest = Manifest(lake.catalog, lake.namespace)
    fingerprints = {path: Fingerprint.of(path) for path in paths}
    known = manifest.entries()
    refuse_duplicates(fingerprints, known, normaliser.name)
    for path in paths:
        check_source(path, normaliser)
    combination = _combination(lake, normaliser, paths, batch_rows)
    companions = companion(normaliser, lake.focus.refresh())
    delivery = _Delivery(
        companions or normaliser,
        DataFileWriter(lake.focus, uuid.uuid4().hex),
        fingerprints,
        known,
        progress,
        batch_rows,
        combination,
    )
    done = delivery.normalise()
    totals = Totals()
    for normalised in done.values():
        totals.merge(normalised.totals)
    try:
        keys = delivery.restated(done)
        after, kept = _carry(lake, delivery, keys, totals)
        keys |= kept[1] | _others(lake, keys, normaliser.name, replace=replace)
        replaced = replacement(
            lake.focus.refresh(),
            keys,
            normaliser.name,
            known,
            {n.fingerprint.path for n in done.values()},
            after,
            kept,
        )
        if replaced and replaced.files and confirm is not None and not confirm(replaced):
            message = (
                f"this would replace {replaced.rows:,} rows from {len(replaced.files)} other"
                " file(s); to replace them, ingest again with --replace"
            )
            raise IngestRefused(message, "replace_not_confirmed")
    except BaseException:
        delivery.writer.abort()
        raise
    snapshot_id = _restate(lake, manifest, delivery, done, keys) if done else None
    return IngestReport(
        ingestion_id=delivery.ingestion_id,
        source=normaliser.name,
        snapshot_id=snapshot_id,
        files=[_outcome(p, delivery.fingerprints[p], done.get(p)) for p in paths],
        totals=totals.result(),
        replaced=replaced,
        usage=companions.basis if companions else None,
    )


def _combination(
    lake: Lake, normaliser: Normaliser, paths: Sequence[Path], batch_rows: int
) -> Combination | None:
    """For exports that come as two datasets (Azure actual and amortized): a first pass over
    the files tells which each is, to combine them with each other and with the lake."""
    if not combines(normaliser):
        return None
    surveys = {path: Survey() for path in paths}
    for path, survey in surveys.items():
        for batch in normaliser.batches(path, ingestion_id="survey", batch_rows=batch_rows):
            survey.add(batch)
    keys = {key for survey in surveys.values() for key in survey.seen}
    return combine(surveys, amortised_keys(lake.focus.refresh(), keys))


def _carry(
    lake: Lake, delivery: _Delivery, keys: set[RestatementKey], totals: Totals
) -> tuple[list[PeriodTotal], tuple[int, set[RestatementKey]]]:
    """Write again the lake's part of each key the delivery does not replace (the other
    Azure dataset's; the usage of a cost report's months, see `companions`); return the
    totals of the keys after the ingest and the rows kept, with their keys."""
    after = Totals()
    after.merge(totals.result())
    rows = 0
    combined: set[RestatementKey] = set()
    if isinstance(delivery.normaliser, Companion):

        def write(batch: pa.RecordBatch) -> None:
            delivery.writer.write(batch)
            after.add(batch)

        rows, combined = delivery.normaliser.carry_usage(keys, write)
    if delivery.combination is None:
        return after.result(), (rows, combined)
    table = lake.focus.refresh()
    for key, part in sorted(delivery.combination.carry.items()):
        if key not in keys:
            continue
        for batch in carried(table, key, part):
            delivery.writer.write(batch)
            after.add(batch)
            rows += batch.num_rows
            combined.add(key)
    return after.result(), (rows, combined)


def _others(
    lake: Lake, keys: set[RestatementKey], source: str, *, replace: bool
) -> set[RestatementKey]:
    """Keys of other sources holding the delivery's accounts and periods: refused, or (with
    `replace`) restated too, so that one bill is never in the lake twice."""
    others = other_source_keys(lake.focus.refresh(), keys, source)
    if others and not replace:
        held = sorted(
            f"{k.source} {k.billing_account_id} {k.billing_period_start:%Y-%m}" for k in others
        )
        message = (
            f"the lake already holds these billing accounts and periods from another source"
            f" ({'; '.join(held[:5])}{' …' if len(held) > 5 else ''}); taken as {source} too"
            " they would count twice: ingest with --replace to replace them"
        )
        raise IngestRefused(message, "rows_under_another_source")
    return others


@dataclass(frozen=True, slots=True)
class _Delivery:
    """The files of one ingest, normalised into one writer's data files."""

    normaliser: Normaliser
    writer: DataFileWriter
    fingerprints: dict[Path, Fingerprint]
    known: dict[str, IngestedFile]
    progress: OnBatch | None
    batch_rows: int
    combination: Combination | None

    @property
    def ingestion_id(self) -> str:
        return self.writer.prefix

    def unchanged(self, path: Path) -> IngestedFile | None:
        fingerprint = self.fingerprints[path]
        entry = self.known.get(fingerprint.path)
        return entry if entry and entry.matches(fingerprint, self.normaliser.name) else None

    def restated(self, done: dict[Path, _Normalised]) -> set[RestatementKey]:
        """The keys the delivery replaces: those its files hold now, and those an earlier
        version of one of them held that no other file in the lake holds (a period the
        corrected file no longer has, as 9999-12, is then removed rather than kept for good;
        one another file still holds stays, with its rows: `lake delete` removes it)."""
        delivered = {self.fingerprints[path].path for path in done}
        others = {
            key
            for path, entry in self.known.items()
            if path not in delivered
            for key in entry.restatement_keys()
        }
        earlier = {
            key
            for path in delivered
            if (entry := self.known.get(path)) is not None and entry.source == self.normaliser.name
            for key in entry.restatement_keys()
        }
        return _keys(done.values()) | (earlier - others)

    def normalise(self) -> dict[Path, _Normalised]:
        """Normalise the changed files, then any unchanged one sharing a key with them."""
        done: dict[Path, _Normalised] = {}
        try:
            queue = [path for path in self.fingerprints if self.unchanged(path) is None]
            while queue:
                done |= {path: self._normalise(path) for path in queue}
                keys = self.restated(done)
                queue = [
                    path
                    for path in self.fingerprints
                    if path not in done and _overlaps(self.unchanged(path), keys)
                ]
        except BaseException:
            self.writer.abort()
            raise
        return done

    def _normalise(self, path: Path) -> _Normalised:
        name = self.normaliser.name
        totals = Totals()
        keys: set[RestatementKey] = set()
        rows = read = 0
        batches = self.normaliser.batches(
            path, ingestion_id=self.ingestion_id, batch_rows=self.batch_rows
        )
        for batch in batches:
            if not batch.schema.equals(focus_arrow_schema()):
                raise _broken(name, path, "a batch schema is not focus_arrow_schema()")
            read += batch.num_rows
            for file_key, part in split_by_file_key(batch):
                key = RestatementKey(
                    str(file_key[0]), str(file_key[1]), cast(datetime, file_key[2])
                )
                if key.source != name:
                    raise _broken(name, path, "x_SourceName is not the normaliser's name")
                keys.add(key)
                if self.combination is not None:
                    part = kept(part, self.combination.part(path, key))
                if part.num_rows:
                    self.writer.write(part)
                    totals.add(part)
                    rows += part.num_rows
            if self.progress is not None:
                self.progress(path, batch.num_rows)
        return _Normalised(self.fingerprints[path], read, rows, frozenset(keys), totals.result())


def _restate(
    lake: Lake,
    manifest: Manifest,
    delivery: _Delivery,
    done: dict[Path, _Normalised],
    keys: set[RestatementKey],
) -> int | None:
    """Commit the delivery's data files in one snapshot, keeping the manifest truthful."""
    source = delivery.normaliser.name
    try:
        data_files = delivery.writer.close()
        manifest.forget((n.fingerprint.path for n in done.values()), keys)
    except BaseException:
        delivery.writer.abort()
        raise
    snapshot_id = None
    if keys:
        restatement = Restatement(
            frozenset(keys),
            data_files,
            {
                SNAPSHOT_INGESTION_ID: delivery.ingestion_id,
                SNAPSHOT_SOURCE: source,
                SNAPSHOT_FILES: orjson.dumps([n.fingerprint.path for n in done.values()]).decode(),
            },
            delivery.ingestion_id,
        )
        try:
            table = commit_with_retry(lake.focus, restatement.stage)
        except (CommitFailedException, ValidationException):
            # Known not committed: our files are garbage. Any other error may have come after
            # the catalog took the commit, so deleting the files could break the table: they
            # are left for `lake expire`, which deletes only what no snapshot references.
            restatement.discard_rewrites()
            delivery.writer.abort()
            raise
        snapshot_id = _snapshot_of(table, delivery.ingestion_id)
    now = datetime.now(UTC)
    manifest.record(
        [_entry(n, source, delivery.ingestion_id, snapshot_id, now) for n in done.values()]
    )
    return snapshot_id


def _broken(name: str, path: Path, problem: str) -> TypeError:
    """A normaliser bug (not a bad bill): the ingest stops and nothing is committed."""
    return TypeError(f"normaliser {name!r} broke its contract on {path}: {problem}")


def _keys(normalised: Iterable[_Normalised]) -> set[RestatementKey]:
    return {key for n in normalised for key in n.keys}


def _overlaps(entry: IngestedFile | None, keys: set[RestatementKey]) -> bool:
    return entry is not None and bool(entry.restatement_keys() & keys)


def _outcome(path: Path, fingerprint: Fingerprint, normalised: _Normalised | None) -> FileOutcome:
    return FileOutcome(
        path=str(path),
        sha256=fingerprint.sha256,
        status="unchanged" if normalised is None else "ingested" if normalised.read else "empty",
        rows=0 if normalised is None else normalised.rows,
        left_out=0 if normalised is None else normalised.read - normalised.rows,
    )


def _entry(
    normalised: _Normalised,
    source: str,
    ingestion_id: str,
    snapshot_id: int | None,
    now: datetime,
) -> IngestedFile:
    return IngestedFile(
        path=normalised.fingerprint.path,
        size=normalised.fingerprint.size,
        sha256=normalised.fingerprint.sha256,
        source=source,
        ingestion_id=ingestion_id,
        snapshot_id=snapshot_id,
        ingested_at=now,
        rows=normalised.rows,
        keys=[
            AccountPeriod(
                billing_account_id=k.billing_account_id,
                billing_period_start=k.billing_period_start,
            )
            for k in sorted(normalised.keys)
        ],
        totals=normalised.totals,
    )


def _snapshot_of(table: Table, ingestion_id: str) -> int | None:
    """Our snapshot's id: found by its summary, as concurrent ingests may have landed since."""
    for snapshot in reversed(table.snapshots()):
        summary = snapshot.summary
        if summary is not None and summary.additional_properties.get(SNAPSHOT_INGESTION_ID) == (
            ingestion_id
        ):
            return snapshot.snapshot_id
    return None
