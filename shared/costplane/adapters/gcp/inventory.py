"""Read a GCP resource's labels through its own API (see `resources` for which and how)."""

from __future__ import annotations

from costplane.adapters.gcp.resources import locate
from costplane.adapters.rest import RestClient
from costplane.engine.ports import ResourceRef


class GcpInventory:
    """Labels as the resource's API returns them; a 404 raises ResourceGone."""

    def __init__(self, rest: RestClient) -> None:
        self.rest = rest

    def get_tags(self, ref: ResourceRef) -> dict[str, str]:
        kind, url = locate(ref)
        return kind.labels.read(self.rest, url, ref.resource_id).values
