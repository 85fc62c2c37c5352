"""Lake maintenance, as Iceberg's procedures do it: expire old snapshots, remove orphan files.

Orphans come from ingests that never committed (killed, or failed after writing data files)
and from writers that lost a race to create a table (their metadata file is never
registered). Snapshots pile up with every restatement. Both are collected here:

- snapshots older than the cutoff are expired with pyiceberg's own `expire_snapshots` (the
  current snapshot is never expired), on the FOCUS table and the manifest of ingested files;
- pyiceberg 0.12 has no orphan-file removal and its expiry deletes no files, so every file
  under a table's location is listed, and one that no live metadata reaches (the current
  metadata file, its metadata log, the retained snapshots' manifest lists, manifests and
  data files) and is older than the cutoff is deleted. The age guard is what Iceberg's
  `remove_orphan_files` relies on too: an ingest still writing holds files no snapshot
  references yet, and they are younger than any sensible cutoff.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import cast
from urllib.parse import urlparse

from pyarrow import fs
from pydantic import BaseModel, ConfigDict
from pyiceberg.io.pyarrow import PyArrowFileIO
from pyiceberg.table import Table

from costplane.billing.lake.manifest import Manifest
from costplane.billing.lake.table import Lake


class TableMaintenance(BaseModel):
    """What one run did to one table."""

    model_config = ConfigDict(frozen=True)

    table: str
    expired_snapshots: int
    orphan_files: int
    orphan_bytes: int


def expire(lake: Lake, older_than: datetime) -> list[TableMaintenance]:
    """Expire the snapshots of the lake's tables older than `older_than`, then delete their
    orphan files older than it."""
    tables = [lake.focus.refresh(), Manifest(lake.catalog, lake.namespace).table.refresh()]
    return [_maintain(table, older_than) for table in tables]


def orphans(table: Table, older_than: datetime) -> list[fs.FileInfo]:
    """The files under `table`'s location that no live metadata reaches, older than the cutoff."""
    filesystem, root = _filesystem(table)
    live = set(_live_paths(table))
    cutoff = older_than.timestamp()
    return [
        info
        for info in filesystem.get_file_info(fs.FileSelector(root, recursive=True))
        if info.type == fs.FileType.File
        and _plain(info.path) not in live
        and info.mtime is not None
        and info.mtime.timestamp() < cutoff
    ]


def _maintain(table: Table, older_than: datetime) -> TableMaintenance:
    expired = 0
    current = table.current_snapshot()
    doomed = [
        s.snapshot_id
        for s in table.snapshots()
        if s.timestamp_ms < older_than.timestamp() * 1000
        and (current is None or s.snapshot_id != current.snapshot_id)
    ]
    if doomed:
        table.maintenance.expire_snapshots().by_ids(doomed).commit()
        expired = len(doomed)
    found = orphans(table.refresh(), older_than)
    scheme = urlparse(table.metadata.location).scheme or "file"
    for info in found:
        table.io.delete(f"{scheme}://{info.path}")
    return TableMaintenance(
        table=".".join(table.name()),
        expired_snapshots=expired,
        orphan_files=len(found),
        orphan_bytes=sum(info.size or 0 for info in found),
    )


def _filesystem(table: Table) -> tuple[fs.FileSystem, str]:
    """The table's own filesystem (with the catalog's endpoint and credentials) and root."""
    if isinstance(table.io, PyArrowFileIO):
        scheme, netloc, path = table.io.parse_location(table.metadata.location)
        return table.io.fs_by_scheme(scheme, netloc), path
    filesystem, path = fs.FileSystem.from_uri(table.metadata.location)
    return cast(fs.FileSystem, filesystem), str(path)


def _live_paths(table: Table) -> Iterator[str]:
    metadata = table.metadata
    yield _plain(table.metadata_location)
    for logged in metadata.metadata_log:
        yield _plain(logged.metadata_file)
    for snapshot in metadata.snapshots:
        yield _plain(snapshot.manifest_list)
        for manifest in snapshot.manifests(table.io):
            yield _plain(manifest.manifest_path)
            for entry in manifest.fetch_manifest_entry(table.io, discard_deleted=True):
                yield _plain(entry.data_file.file_path)


def _plain(location: str) -> str:
    """A location without its scheme, as a filesystem listing names it."""
    parsed = urlparse(location)
    return f"{parsed.netloc}{parsed.path}" if parsed.scheme else location
