"""Ingest bill exports as they land in object storage, and catch up on a schedule: the exports
configured, the object-store port, delivery manifests, outcomes and the service (see
`service`)."""

from costplane.billing.ingest.exports import Export, Exports, load_exports
from costplane.billing.ingest.manifests import ManifestError, is_manifest, manifest_parts
from costplane.billing.ingest.objects import ObjectMissing, ObjectStore, Readable, StoredObject
from costplane.billing.ingest.outcomes import ObjectOutcome, ScanReport
from costplane.billing.ingest.service import CostIngest

__all__ = [
    "CostIngest",
    "Export",
    "Exports",
    "ManifestError",
    "ObjectMissing",
    "ObjectOutcome",
    "ObjectStore",
    "Readable",
    "ScanReport",
    "StoredObject",
    "is_manifest",
    "load_exports",
    "manifest_parts",
]
