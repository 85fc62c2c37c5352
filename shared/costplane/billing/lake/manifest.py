"""The manifest of ingested bill files, so an unchanged file is not ingested twice.

It is an Iceberg table (`<namespace>.ingested_files`) beside the FOCUS table rather than rows
in the SQLite catalog: it then exists wherever the lake does (Glue + S3 has no SQLite), and
Athena, DuckDB or `costplane lake sql` can read it.

The two tables cannot commit together, so the manifest only ever says less than the truth:
an entry means "this file's rows are live in the FOCUS table". Before a restatement commits,
`forget` drops the entries it will supersede; after it commits, `record` adds the new ones.
A crash in between loses entries, never adds a false one, and the worst outcome is that a
file is ingested again, which restatement makes harmless (it replaces the same rows).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

import pyarrow as pa
from pydantic import BaseModel, ConfigDict
from pyiceberg.catalog import Catalog
from pyiceberg.expressions import In
from pyiceberg.table import Table, Transaction

from costplane.billing.focus.columns import DECIMAL, TIMESTAMP
from costplane.billing.lake.catalog import ensure_namespace, ensure_table
from costplane.billing.lake.commit import commit_with_retry
from costplane.billing.lake.table import RestatementKey
from costplane.billing.lake.totals import PeriodTotal

MANIFEST_TABLE = "ingested_files"

_KEY = pa.struct(
    [
        pa.field("billing_account_id", pa.string(), nullable=False),
        pa.field("billing_period_start", TIMESTAMP, nullable=False),
    ]
)
_TOTAL = pa.struct(
    [
        pa.field("billing_period_start", TIMESTAMP, nullable=False),
        pa.field("billing_currency", pa.string(), nullable=False),
        pa.field("rows", pa.int64(), nullable=False),
        pa.field("billed_cost", DECIMAL, nullable=False),
        pa.field("effective_cost", DECIMAL, nullable=False),
    ]
)
MANIFEST_SCHEMA = pa.schema(
    [
        pa.field("path", pa.string(), nullable=False),
        pa.field("size", pa.int64(), nullable=False),
        pa.field("sha256", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("ingestion_id", pa.string(), nullable=False),
        pa.field("snapshot_id", pa.int64(), nullable=True),
        pa.field("ingested_at", TIMESTAMP, nullable=False),
        pa.field("rows", pa.int64(), nullable=False),
        pa.field("keys", pa.list_(pa.field("element", _KEY, nullable=False)), nullable=False),
        pa.field("totals", pa.list_(pa.field("element", _TOTAL, nullable=False)), nullable=False),
    ]
)


class Fingerprint(BaseModel):
    """What identifies a file's content: its size and SHA-256."""

    model_config = ConfigDict(frozen=True)

    path: str
    size: int
    sha256: str

    @classmethod
    def of(cls, path: Path) -> Fingerprint:
        with path.open("rb") as stream:
            digest = hashlib.file_digest(stream, "sha256").hexdigest()
        return cls(path=str(path.resolve()), size=path.stat().st_size, sha256=digest)


class AccountPeriod(BaseModel):
    model_config = ConfigDict(frozen=True)

    billing_account_id: str
    billing_period_start: datetime


class IngestedFile(BaseModel):
    """One manifest entry: a file whose rows are live in the FOCUS table."""

    model_config = ConfigDict(frozen=True)

    path: str
    size: int
    sha256: str
    source: str
    ingestion_id: str
    snapshot_id: int | None
    ingested_at: datetime
    rows: int
    keys: list[AccountPeriod]
    totals: list[PeriodTotal]

    def restatement_keys(self) -> set[RestatementKey]:
        return {
            RestatementKey(self.source, k.billing_account_id, k.billing_period_start)
            for k in self.keys
        }

    def matches(self, fingerprint: Fingerprint, source: str) -> bool:
        return (self.size, self.sha256, self.source) == (
            fingerprint.size,
            fingerprint.sha256,
            source,
        )


class Manifest:
    """The ingested-files table of a lake, created on first use."""

    def __init__(self, catalog: Catalog, namespace: str) -> None:
        ensure_namespace(catalog, namespace)
        identifier = (namespace, MANIFEST_TABLE)
        self.table = ensure_table(
            catalog, identifier, lambda: catalog.create_table(identifier, schema=MANIFEST_SCHEMA)
        )

    def entries(self) -> dict[str, IngestedFile]:
        """Every entry by path (the manifest holds one small row per file)."""
        return _read(self.table.refresh())

    def forget(self, paths: Iterable[str], keys: set[RestatementKey]) -> None:
        """Drop the entries of `paths` and of every file whose rows `keys` will replace."""
        paths = set(paths)

        def stage(table: Table, transaction: Transaction) -> None:
            doomed = sorted(
                path
                for path, entry in _read(table).items()
                if path in paths or entry.restatement_keys() & keys
            )
            if doomed:
                transaction.delete(In(term="path", literals=doomed))

        commit_with_retry(self.table, stage)

    def record(self, files: list[IngestedFile]) -> None:
        rows = pa.Table.from_pylist([f.model_dump() for f in files], schema=MANIFEST_SCHEMA)
        commit_with_retry(self.table, lambda _, transaction: transaction.append(rows))


def _read(table: Table) -> dict[str, IngestedFile]:
    return {
        row["path"]: IngestedFile.model_validate(row) for row in table.scan().to_arrow().to_pylist()
    }
