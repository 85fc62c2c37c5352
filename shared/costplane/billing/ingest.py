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
bill (BillFileError) or manifest is final, as the same bytes would fail again, and nothing
of it was committed. Anything else (throttling, a part not delivered yet, commit races lost
over and over) raises, for the platform to retry.

The local copy of an object lives at <COSTPLANE_INGEST_DIR>/<scheme>/<host>/<path>, the same
path on every run, as the lake's manifest identifies a file by its path.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, Protocol
from urllib.parse import urlsplit

import orjson
import yaml
from pydantic import BaseModel, ConfigDict, Field, field_validator

from costplane.billing.focus.errors import BillFileError
from costplane.billing.focus.sources import get_normaliser, normaliser_names
from costplane.billing.lake.manifest import Manifest
from costplane.billing.lake.table import Lake
from costplane.billing.lake.writer import SNAPSHOT_FILES, IngestReport, ingest
from costplane.domain.errors import DeliveryFailed

BILL_SUFFIXES = (".csv", ".csv.gz", ".parquet", ".ndjson", ".ndjson.gz", ".jsonl", ".jsonl.gz")
MANIFEST_NAME = "manifest.json"
"""Delivery manifests end so: `<export>-Manifest.json` (CUR), `manifest.json` (Azure)."""
CHUNK_BYTES = 1 << 20

Status = Literal["ingested", "unchanged", "skipped", "rejected", "failed"]


class ObjectMissing(LookupError):
    """The object does not exist: deleted since it was announced, or not delivered yet."""


class ManifestError(ValueError):
    """A delivery manifest that lists no data files we can read."""


@dataclass(frozen=True, slots=True)
class StoredObject:
    uri: str
    size: int
    modified: datetime


class Readable(Protocol):
    """A binary stream, such as the blob a trigger hands over."""

    def read(self, size: int = -1, /) -> bytes: ...


class ObjectStore(Protocol):
    """A cloud's object storage, as the service needs it."""

    schemes: tuple[str, ...]
    """The URI schemes it serves, e.g. ("s3",)."""

    def download(self, uri: str, target: Path) -> None:
        """Stream the object to `target`; ObjectMissing if there is none."""
        ...

    def listing(self, location: str) -> Iterator[StoredObject]:
        """Every object whose URI starts with `location`."""
        ...


class Export(BaseModel):
    """One bill export: where its files land and which normaliser reads them."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    location: str = Field(description="URI prefix the export writes under.")
    source: str = Field(description="Normaliser of its bill files, e.g. aws-cur2.")
    deliveries: Literal["files", "manifest"] = "files"
    suffixes: tuple[str, ...] = Field(BILL_SUFFIXES, description="Names of its bill files end so.")

    @field_validator("location")
    @classmethod
    def _is_a_uri(cls, value: str) -> str:
        parts = urlsplit(value)
        if not (parts.scheme and parts.netloc):
            raise ValueError(f"not a URI prefix such as s3://bucket/prefix/: {value!r}")
        return value

    @field_validator("source")
    @classmethod
    def _is_a_normaliser(cls, value: str) -> str:
        if value not in normaliser_names():
            raise ValueError(f"unknown source {value!r}; valid: {', '.join(normaliser_names())}")
        return value

    def holds_bill(self, uri: str) -> bool:
        name = uri.lower()
        return not is_manifest(uri) and name.endswith(tuple(s.lower() for s in self.suffixes))


class Exports(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    exports: list[Export]

    def of(self, uri: str) -> Export | None:
        """The export `uri` belongs to: the one with the longest matching location."""
        matching = [e for e in self.exports if uri.startswith(e.location)]
        return max(matching, key=lambda e: len(e.location), default=None)


def load_exports(value: str) -> Exports:
    """COSTPLANE_EXPORTS: inline JSON (a list, or {"exports": [...]}) or a YAML/JSON file."""
    text = value.strip()
    data = (
        orjson.loads(text)
        if text.startswith(("[", "{"))
        else yaml.safe_load(Path(text).read_text())
    )
    return Exports.model_validate({"exports": data} if isinstance(data, list) else data)


class ObjectOutcome(BaseModel):
    """What became of one announced object (or, for a manifest, of its delivery)."""

    model_config = ConfigDict(frozen=True)

    uri: str
    status: Status
    reason: str | None = Field(None, description="Stable code: why skipped, rejected or failed.")
    message: str | None = None
    source: str | None = None
    report: IngestReport | None = None


class ScanReport(BaseModel):
    """A rescan: the deliveries it attempted, and how many were already in the lake."""

    model_config = ConfigDict(frozen=True)

    outcomes: list[ObjectOutcome]
    up_to_date: int

    def raise_for_failures(self) -> ScanReport:
        """Return the report, or raise DeliveryFailed so that the platform runs the scan again."""
        failed = [
            f"{o.uri}: {o.reason}: {o.message}" for o in self.outcomes if o.status == "failed"
        ]
        if failed:
            raise DeliveryFailed("; ".join(failed))
        return self


def is_manifest(uri: str) -> bool:
    return uri.lower().endswith(MANIFEST_NAME)


def manifest_parts(uri: str, document: bytes) -> list[str]:
    """The URIs of the data files a delivery manifest lists."""
    try:
        body = orjson.loads(document)
    except orjson.JSONDecodeError as exc:
        raise ManifestError(f"{uri}: not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise ManifestError(f"{uri}: not a JSON object")
    scheme = urlsplit(uri).scheme
    if isinstance(body.get("dataFiles"), list):
        parts = body["dataFiles"]
    elif isinstance(body.get("reportKeys"), list) and isinstance(body.get("bucket"), str):
        parts = [f"{scheme}://{body['bucket']}/{key}" for key in body["reportKeys"]]
    elif isinstance(body.get("blobs"), list):
        root = _container_root(uri)
        parts = [root + b["blobName"] if isinstance(b, dict) else b for b in body["blobs"]]
    else:
        raise ManifestError(f"{uri}: lists no data files (dataFiles, reportKeys or blobs)")
    bad = [p for p in parts if not isinstance(p, str) or urlsplit(p).scheme != scheme]
    if bad:
        raise ManifestError(f"{uri}: not {scheme}:// objects: {bad[:3]}")
    return list(parts)


def _container_root(uri: str) -> str:
    """s3://bucket/, gs://bucket/; a blob URL's container is the first segment of its path."""
    parts = urlsplit(uri)
    root = f"{parts.scheme}://{parts.netloc}/"
    return root + parts.path.split("/")[1] + "/" if parts.scheme in ("http", "https") else root


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
            return _skipped(uri, "outside_exports", "no configured export writes here")
        if not _safe(uri):
            return _skipped(uri, "unsafe_name", "a `.` or `..` path segment", export.source)
        if export.deliveries == "manifest" and is_manifest(uri):
            try:
                parts = self._read_manifest(uri, content)
            except ManifestError as exc:
                return _rejected(uri, "bad_manifest", str(exc), export.source)
            return self._deliver(export, uri, parts)
        if not export.holds_bill(uri):
            return _skipped(uri, "not_a_bill_file", "not named like a bill file", export.source)
        if export.deliveries == "manifest":
            reason = "a part of a delivery, ingested with all its parts when its manifest lands"
            return _skipped(uri, "awaiting_manifest", reason, export.source)
        try:
            return self._deliver(export, uri, [uri], content)
        except ObjectMissing as exc:
            return _skipped(uri, "object_gone", str(exc), export.source)

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
                        outcomes.append(_rejected(obj.uri, "bad_manifest", str(exc), export.source))
                        continue
                    except Exception as exc:
                        outcomes.append(_failed(obj.uri, exc, export.source))
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
            return _failed(trigger, exc, export.source)

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
            return _skipped(trigger, "empty_manifest", "it lists no data files", export.source)
        unsafe = [uri for uri in uris if not _safe(uri)]
        if unsafe:
            return _rejected(trigger, "bad_manifest", f"unsafe names: {unsafe}", export.source)
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
            return _rejected(trigger, exc.code, f"{where}; nothing was committed", export.source)
        finally:
            for path in paths.values():
                path.unlink(missing_ok=True)
        files = [f.model_copy(update={"path": named[f.path]}) for f in report.files]
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


def _skipped(uri: str, reason: str, message: str, source: str | None = None) -> ObjectOutcome:
    return ObjectOutcome(uri=uri, status="skipped", reason=reason, message=message, source=source)


def _rejected(uri: str, reason: str, message: str, source: str) -> ObjectOutcome:
    return ObjectOutcome(uri=uri, status="rejected", reason=reason, message=message, source=source)


def _failed(uri: str, exc: Exception, source: str) -> ObjectOutcome:
    return ObjectOutcome(
        uri=uri, status="failed", reason=type(exc).__name__, message=str(exc), source=source
    )
