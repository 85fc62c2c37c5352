"""The resources carrying the mark label in a project, folder or organisation: Cloud Asset
Inventory `searchAllResources` with `labels.<tag>:*`, 500 a page, continued by `pageToken`.

Cloud Asset Inventory is an index, minutes behind the resources' own APIs; the sweep re-reads a
due resource's labels from its API before it acts (and learns there that it is gone).
"""

from __future__ import annotations

from costplane.adapters.rest import RestClient, body_of
from costplane.domain.events import Provider
from costplane.engine.ports import ResourceRef
from costplane.tagging.ports import MarkedResource, MarkPage

ASSET_URL = "https://cloudasset.googleapis.com/v1/{scope}:searchAllResources"
PAGE_SIZE = 500  # the API's maximum
READ_MASK = "name,assetType,project,location,labels"
_TYPES = {  # asset type → the type the audit log parser names (adapters/gcp/auditlog_methods)
    "compute.googleapis.com/Instance": "gcp.compute.instance",
    "compute.googleapis.com/InstanceTemplate": "gcp.compute.instancetemplate",
    "storage.googleapis.com/Bucket": "gcp.storage.bucket",
    "sqladmin.googleapis.com/Instance": "gcp.sql.instance",
    "container.googleapis.com/Cluster": "gcp.container.cluster",
    "bigquery.googleapis.com/Dataset": "gcp.bigquery.dataset",
    "pubsub.googleapis.com/Topic": "gcp.pubsub.topic",
}


def ref_of_asset(asset: dict[str, object]) -> ResourceRef:
    """`//compute.googleapis.com/projects/p/zones/z/instances/vm` → gcp.compute.instance
    `projects/p/zones/z/instances/vm` in project p."""
    name, asset_type = str(asset["name"]), str(asset.get("assetType", ""))
    resource_id = name.removeprefix("//").partition("/")[2]
    service, _, kind = asset_type.partition("/")
    resource_type = _TYPES.get(asset_type) or f"gcp.{service.split('.')[0]}.{kind.lower()}"
    parts = resource_id.split("/")
    project = (
        parts[1] if parts[0] == "projects" and len(parts) > 1 else str(asset.get("project", ""))
    )
    location = asset.get("location")
    return ResourceRef(
        provider=Provider.GCP,
        account=project.removeprefix("projects/"),
        region=location if isinstance(location, str) and location != "global" else None,
        resource_id=resource_id,
        resource_type=resource_type,
    )


class GcpMarkedResources:
    """MarkFinder: the resources labelled `tag` under `scope` (projects/ID, folders/ID,
    organizations/ID)."""

    def __init__(self, rest: RestClient, tag: str, scope: str | None) -> None:
        self.rest = rest
        self.tag = tag
        self.scope = scope

    def scopes(self) -> list[str]:
        return [self.scope] if self.scope else []

    def page(self, scope: str, token: str | None) -> MarkPage:
        params = {
            "query": f"labels.{self.tag}:*",
            "pageSize": str(PAGE_SIZE),
            "readMask": READ_MASK,
            "orderBy": "name",
        }
        if token:
            params["pageToken"] = token
        response = self.rest.call(
            "GET",
            ASSET_URL.format(scope=scope),
            resource=f"Cloud Asset Inventory of {scope}",
            params=params,
            missing_is_gone=False,
        )
        answer = body_of(response)
        found = [
            MarkedResource(ref_of_asset(asset), _labels(asset))
            for asset in answer.get("results") or []
            if isinstance(asset, dict)
        ]
        following = answer.get("nextPageToken")
        return MarkPage(found, following if isinstance(following, str) and following else None)


def _labels(asset: dict[str, object]) -> dict[str, str]:
    labels = asset.get("labels")
    return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, dict) else {}
