"""Cloud Asset Inventory feed messages (TemporalAsset) -> ResourceEvents: the GCP catch-all.

A feed (`google_cloud_asset_organization_feed` or `_project_feed`, content type RESOURCE)
publishes every change to the assets it watches to Pub/Sub as a TemporalAsset: the asset
after the change, with its labels in `asset.resource.data`, whether it was `deleted`, and
`priorAssetState` (DOES_NOT_EXIST for a new asset). The first message of a new feed is a
plain-text greeting, skipped as not a resource event by `events`.

- A deleted asset is a DELETE, one with no prior state a CREATE, anything else an UPDATE;
  `tags` are the asset's labels (`{}` when the resource has none), or None when the feed does
  not carry the resource data (then the Inventory reads them).
- The resource id is the asset name without its `//<service>.googleapis.com/` host, the form
  the Cloud Audit Log methods give (`projects/p/zones/z/instances/vm`), so the creation an
  audit log already decided is not decided again; buckets become `projects/_/buckets/<name>`.
- The event id is the asset name and the start of its time window: the same change
  delivered twice has one idempotency key.
- An asset type outside `GOVERNED` is skipped (`ungoverned_resource_type`), naming it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from costplane.domain.errors import EventRejected, Rejection
from costplane.domain.events import Operation, Provider, ResourceEvent
from costplane.engine.envelopes import ParseResult, register_single

FEED = "Cloud Asset Inventory feed"


@dataclass(frozen=True, slots=True)
class AssetType:
    """A governed asset type: its costplane type and where its resource keeps its labels."""

    resource_type: str
    labels: tuple[str, ...] = ("labels",)


GOVERNED: dict[str, AssetType] = {
    "compute.googleapis.com/Instance": AssetType("gcp.compute.instance"),
    "compute.googleapis.com/Disk": AssetType("gcp.compute.disk"),
    "compute.googleapis.com/Snapshot": AssetType("gcp.compute.snapshot"),
    "compute.googleapis.com/Image": AssetType("gcp.compute.image"),
    "compute.googleapis.com/InstanceTemplate": AssetType(
        "gcp.compute.instancetemplate", ("properties", "labels")
    ),
    "compute.googleapis.com/Address": AssetType("gcp.compute.address"),
    "compute.googleapis.com/ForwardingRule": AssetType("gcp.compute.forwardingrule"),
    "storage.googleapis.com/Bucket": AssetType("gcp.storage.bucket"),
    "sqladmin.googleapis.com/Instance": AssetType("gcp.sql.instance", ("settings", "userLabels")),
    "container.googleapis.com/Cluster": AssetType("gcp.container.cluster", ("resourceLabels",)),
    "container.googleapis.com/NodePool": AssetType(
        "gcp.container.nodepool", ("config", "resourceLabels")
    ),
    "bigquery.googleapis.com/Dataset": AssetType("gcp.bigquery.dataset"),
    "bigquery.googleapis.com/Table": AssetType("gcp.bigquery.table"),
    "pubsub.googleapis.com/Topic": AssetType("gcp.pubsub.topic"),
    "pubsub.googleapis.com/Subscription": AssetType("gcp.pubsub.subscription"),
    "spanner.googleapis.com/Instance": AssetType("gcp.spanner.instance"),
    "run.googleapis.com/Service": AssetType("gcp.run.service", ("metadata", "labels")),
    "redis.googleapis.com/Instance": AssetType("gcp.redis.instance"),
    "dataproc.googleapis.com/Cluster": AssetType("gcp.dataproc.cluster"),
    "file.googleapis.com/Instance": AssetType("gcp.file.instance"),
    "bigtableadmin.googleapis.com/Instance": AssetType("gcp.bigtableadmin.instance"),
    "aiplatform.googleapis.com/Endpoint": AssetType("gcp.aiplatform.endpoint"),
    "cloudfunctions.googleapis.com/CloudFunction": AssetType("gcp.cloudfunctions.function"),
}


def matches_temporal_asset(document: Any) -> bool:
    return (
        isinstance(document, dict)
        and isinstance(document.get("asset") or document.get("priorAsset"), dict)
        and ("window" in document or "priorAssetState" in document)
    )


@register_single("gcp.asset", matches_temporal_asset)
def parse_temporal_asset(document: Any) -> ParseResult:
    """One TemporalAsset, bare (as a replay or a test has it) or decoded from Pub/Sub."""
    try:
        return _event(document)
    except EventRejected as exc:
        exc.provider, exc.event_name = Provider.GCP.value, FEED
        return exc


def read_published(document: dict[str, Any], message_id: str | None) -> ParseResult:
    """The `events` Pub/Sub reader's hook: a TemporalAsset decoded from `message.data`."""
    result = parse_temporal_asset(document)
    if isinstance(result, EventRejected) and result.event_id is None:
        result.event_id = message_id
    return result


def _event(document: dict[str, Any]) -> ResourceEvent:
    deleted = document.get("deleted") is True
    asset = document.get("asset")
    if deleted and isinstance(document.get("priorAsset"), dict):
        asset = document["priorAsset"]  # a deletion's asset may keep only the name and type
    if not isinstance(asset, dict):
        raise EventRejected(Rejection.MISSING_FIELD, "the message has no asset object")
    name, asset_type = _text(asset, "name"), _text(asset, "assetType")
    governed = GOVERNED.get(asset_type)
    if governed is None:
        raise EventRejected(
            Rejection.UNGOVERNED_RESOURCE_TYPE,
            f"{asset_type} is not an asset type costplane governs",
            skipped=True,
            event_id=name,
        )
    window = document.get("window")
    start = window.get("startTime") if isinstance(window, dict) else None
    when = start or asset.get("updateTime")
    found = asset.get("resource")
    resource: dict[str, Any] = found if isinstance(found, dict) else {}
    resource_id = _resource_id(name)
    try:
        return ResourceEvent(
            provider=Provider.GCP,
            event_id=f"{name}@{when}",
            event_name=f"{FEED}: {asset_type}",
            event_time=when,
            account=_project(resource_id, resource, asset),
            region=resource.get("location") if isinstance(resource.get("location"), str) else None,
            resource_id=resource_id,
            resource_type=governed.resource_type,
            operation=_operation(document, deleted),
            tags=None if deleted else _labels(resource, governed.labels),
            raw=document,
        )
    except ValidationError:
        raise EventRejected(
            Rejection.INVALID_FIELD, f"window.startTime {when!r} is not an RFC 3339 timestamp"
        ) from None


def _operation(document: dict[str, Any], deleted: bool) -> Operation:
    if deleted:
        return Operation.DELETE
    if document.get("priorAssetState") == "DOES_NOT_EXIST":
        return Operation.CREATE
    return Operation.UPDATE


def _resource_id(name: str) -> str:
    """`//compute.googleapis.com/projects/p/…` -> `projects/p/…`; a bucket gets its audit name."""
    host, _, path = name.removeprefix("//").partition("/")
    if host == "storage.googleapis.com" and "/" not in path:
        return f"projects/_/buckets/{path}"
    return path


def _project(resource_id: str, resource: dict[str, Any], asset: dict[str, Any]) -> str:
    """The project id in the name, else the project number of the parent or first ancestor."""
    parts = resource_id.split("/")
    if len(parts) > 1 and parts[0] == "projects" and parts[1] != "_":
        return parts[1]
    parent = resource.get("parent")
    if isinstance(parent, str) and "/projects/" in parent:
        return parent.rpartition("/projects/")[2]
    ancestors = asset.get("ancestors")
    for ancestor in ancestors if isinstance(ancestors, list) else []:
        if isinstance(ancestor, str) and ancestor.startswith("projects/"):
            return ancestor.removeprefix("projects/")
    raise EventRejected(Rejection.MISSING_FIELD, f"no project names the asset {resource_id}")


def _labels(resource: dict[str, Any], path: tuple[str, ...]) -> dict[str, str] | None:
    """The labels in the resource data; None when the feed carries no data at all."""
    data = resource.get("data")
    if not isinstance(data, dict):
        return None
    node: Any = data
    for key in path:
        node = node.get(key) if isinstance(node, dict) else None
    return {str(k): str(v) for k, v in node.items()} if isinstance(node, dict) else {}


def _text(parent: dict[str, Any], key: str) -> str:
    value = parent.get(key)
    if isinstance(value, str) and value:
        return value
    raise EventRejected(Rejection.MISSING_FIELD, f"asset.{key} is missing")
