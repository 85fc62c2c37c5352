"""Ingest bill exports as they land in object storage, and catch up on a schedule.

Provider-neutral: a cloud adapter (`ObjectStore`) lists objects and streams them to local
files; this service maps each object to its configured export, ingests it with the export's
normaliser and reports what happened. The lake's restatement makes a delivery land in one
snapshot, so readers never see half a bill (DESIGN §1, §3).

COSTPLANE_EXPORTS configures the exports: JSON, or the path of a YAML or JSON file, e.g.
    [{"location": "s3://billing/cur2/", "source": "aws-cur2", "deliveries": "manifest"}]
`location` is the URI prefix the export writes under: s3://bucket/prefix,
gs://bucket/prefix or https://<account>.blob.core.windows.net/<container>/prefix.

`deliveries` says what one delivery is. Every ingest restates the whole billing periods its
files hold, so all files of a period must be ingested together:
- "files": each bill file is a delivery of its own. Right for exports that write one file
  per period and run (Azure and GCP exports without partitioning, FOCUS exports).
- "manifest": the export writes a period in several parts and a manifest listing them
  (Data Exports / CUR 2.0 `dataFiles`, legacy CUR `reportKeys`, Azure Cost Management
  `blobs[].blobName`). Parts are skipped as they land and ingested together, as one
  delivery, when their manifest lands.

An object's outcome is ingested, unchanged, skipped (with a reason) or rejected: a broken
bill (BillFileError) or manifest, or a delivery that would double a bill (IngestRefused: a
file or rows the lake holds under another source), is final, as the same bytes would fail
again, and nothing of it was committed. Anything else (throttling, a part not delivered
yet, commit races lost over and over) raises, for the platform to retry.

The local copy of an object lives at <COSTPLANE_INGEST_DIR>/<scheme>/<host>/<path>, the same
path on every run, as the lake's manifest identifies a file by its path.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import orjson

from costplane.billing.focus.errors import BillFileError
from costplane.billing.focus.sources import get_normaliser
from costplane.billing.ingest.exports import Export, Exports
from costplane.billing.ingest.manifests import ManifestError, is_manifest, manifest_parts
from costplane.billing.ingest.objects import (
    CHUNK_BYTES,
    ObjectMissing,
    ObjectStore,
    Readable,
    StoredObject,
)
from costplane.billing.ingest.outcomes import (
    ObjectOutcome,
    ScanReport,
    Status,
    failed,
    rejected,
    skipped,
)
from costplane.billing.lake.conflicts import IngestRefused
from costplane.billing.lake.manifest import Manifest
from costplane.billing.lake.table import Lake
from costplane.billing.lake.writer import SNAPSHOT_FILES, ingest


def _safe(uri: str) -> bool:
    """A name with `.` or `..` segments could escape the download directory."""
    return not any(s in (".", "..") for s in urlsplit(uri).path.split("/"))


class CostIngest:
    """Objects announced by the platform, or found by a rescan, ingested into the lake."""

    def __init__(
        self, exports: Exports, store: ObjectStore, lake: Callable[[], Lake], work_dir: Path
    ) -> None:
        foreign = [
            e.location for e in exports.exports if urlsplit(e.location).scheme not in store.schemes
        ]
        if foreign:
            raise ValueError(f"this plane reads {', '.join(store.schemes)} objects, not {foreign}")
        self.exports = exports
        self.store = store
        self.work_dir = work_dir.resolve()
        self._open_lake = lake
        self._lake: Lake | None = None

    def lake(self) -> Lake:
        """Opened once per process (catalog clients stay warm), its table re-read on each use."""
        if self._lake is None:
            self._lake = self._open_lake()
        else:
            self._lake = replace(self._lake, focus=self._lake.focus.refresh())
        return self._lake

    def on_object(self, uri: str, content: Readable | None = None) -> ObjectOutcome:
        """An object was created. `content`: its bytes, when the trigger already holds them."""
        export = self.exports.of(uri)
        if export is None:
            return skipped(uri, "outside_exports", "no configured export writes here")
        if not _safe(uri):
            return skipped(uri, "unsafe_name", "a `.` or `..` path segment", export.source)
        if export.deliveries == "manifest" and is_manifest(uri):
            try:
                parts = self._read_manifest(uri, content)
            except ManifestError as exc:
                return rejected(uri, "bad_manifest", str(exc), export.source)
            return self._deliver(export, uri, parts)
        if not export.holds_bill(uri):
            return skipped(uri, "not_a_bill_file", "not named like a bill file", export.source)
        if export.deliveries == "manifest":
            reason = "a part of a delivery, ingested with all its parts when its manifest lands"
            return skipped(uri, "awaiting_manifest", reason, export.source)
        try:
            return self._deliver(export, uri, [uri], content)
        except ObjectMissing as exc:
            return skipped(uri, "object_gone", str(exc), export.source)

    def rescan(self) -> ScanReport:
        """Ingest every delivery modified since it was last ingested, oldest first, so that a
        period ends with its newest delivery. One failure does not stop the others."""
        ledger = self._ledger()
        outcomes: list[ObjectOutcome] = []
        up_to_date = 0
        for export in self.exports.exports:
            listed = {o.uri: o for o in self.store.listing(export.location) if _safe(o.uri)}
            for obj in sorted(listed.values(), key=lambda o: (o.modified, o.uri)):
                if export.deliveries == "manifest" and is_manifest(obj.uri):
                    try:
                        parts = self._read_manifest(obj.uri, None)
                    except ManifestError as exc:
                        outcomes.append(rejected(obj.uri, "bad_manifest", str(exc), export.source))
                        continue
                    except Exception as exc:
                        outcomes.append(failed(obj.uri, exc, export.source))
                        continue
                elif export.deliveries == "files" and export.holds_bill(obj.uri):
                    parts = [obj.uri]
                else:
                    continue
                if all(p in listed and ledger.current(self._key(p), listed[p]) for p in parts):
                    up_to_date += 1
                    continue
                outcomes.append(outcome := self._attempt(export, obj.uri, parts))
                if outcome.status == "ingested":
                    ledger.restated(self._live(self.lake()))
        return ScanReport(outcomes=outcomes, up_to_date=up_to_date)

    def _attempt(self, export: Export, trigger: str, parts: list[str]) -> ObjectOutcome:
        try:
            return self._deliver(export, trigger, parts)
        except Exception as exc:
            return failed(trigger, exc, export.source)

    def _read_manifest(self, uri: str, content: Readable | None) -> list[str]:
        path = self._local(uri)
        try:
            self._fetch(uri, path, content)
            return manifest_parts(uri, path.read_bytes())
        finally:
            path.unlink(missing_ok=True)

    def _deliver(
        self,
        export: Export,
        trigger: str,
        uris: Sequence[str],
        content: Readable | None = None,
    ) -> ObjectOutcome:
        """Download `uris` (one delivery), ingest them in one commit and delete the copies."""
        if not uris:
            return skipped(trigger, "empty_manifest", "it lists no data files", export.source)
        unsafe = [uri for uri in uris if not _safe(uri)]
        if unsafe:
            return rejected(trigger, "bad_manifest", f"unsafe names: {unsafe}", export.source)
        paths = {uri: self._local(uri) for uri in uris}
        named = {str(path): uri for uri, path in paths.items()}
        try:
            for uri, path in paths.items():
                self._fetch(uri, path, content if uri == trigger else None)
            report = ingest(self.lake(), get_normaliser(export.source), list(paths.values()))
        except BillFileError as exc:
            where = BillFileError(
                named.get(exc.file, exc.file),
                exc.message,
                column=exc.column,
                row=exc.row,
                code=exc.code,
            )
            return rejected(trigger, exc.code, f"{where}; nothing was committed", export.source)
        except IngestRefused as exc:
            return rejected(trigger, exc.code, f"{exc}; nothing was committed", export.source)
        finally:
            for path in paths.values():
                path.unlink(missing_ok=True)
        files = [f.model_copy(update={"path": named[f.path]}) for f in report.files]
        if all(f.status == "empty" for f in files):
            reason = "its bill files hold no rows (a header only)"
            return skipped(trigger, "empty_delivery", reason, export.source)
        status: Status = "ingested" if any(f.status == "ingested" for f in files) else "unchanged"
        report = report.model_copy(update={"files": files})
        return ObjectOutcome(uri=trigger, status=status, source=export.source, report=report)

    def _fetch(self, uri: str, path: Path, content: Readable | None) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            self.store.download(uri, path)
            return
        with path.open("wb") as out:
            shutil.copyfileobj(content, out, CHUNK_BYTES)

    def _local(self, uri: str) -> Path:
        parts = urlsplit(uri)
        return self.work_dir.joinpath(
            parts.scheme, parts.netloc, *filter(None, parts.path.split("/"))
        )

    def _key(self, uri: str) -> str:
        """How the lake's manifest and snapshots name the object's local copy."""
        return str(self._local(uri))

    def _ledger(self) -> _Ledger:
        """When each file was last ingested: per the live manifest, and per every snapshot's
        files, as a file whose periods a newer delivery restated has left the manifest."""
        lake = self.lake()
        entries = Manifest(lake.catalog, lake.namespace).entries()
        ledger = _Ledger(set(entries))
        for path, entry in entries.items():
            ledger.saw(path, entry.ingested_at)
        for snapshot in lake.focus.snapshots():
            summary = snapshot.summary
            files = summary.additional_properties.get(SNAPSHOT_FILES) if summary else None
            at = datetime.fromtimestamp(snapshot.timestamp_ms / 1000, UTC)
            for path in orjson.loads(files) if files else ():
                ledger.saw(path, at)
        return ledger

    @staticmethod
    def _live(lake: Lake) -> set[str]:
        return set(Manifest(lake.catalog, lake.namespace).entries())


@dataclass(slots=True)
class _Ledger:
    """What a rescan knows of the lake: when each file was last ingested, which files' rows
    are live, and which of those the scan's own ingests replaced. An older delivery brought
    in late replaces a newer one's rows; the newer one is then no longer current and, as the
    scan goes oldest first, comes later and is ingested again."""

    live: set[str]
    ingested_at: dict[str, datetime] = field(default_factory=dict)
    replaced: set[str] = field(default_factory=set)

    def saw(self, path: str, at: datetime) -> None:
        self.ingested_at[path] = max(at, self.ingested_at.get(path, at))

    def current(self, path: str, stored: StoredObject) -> bool:
        at = self.ingested_at.get(path)
        return path not in self.replaced and at is not None and stored.modified <= at

    def restated(self, live: set[str]) -> None:
        self.replaced |= self.live - live
        self.live = live
