"""Read a resource's tags through the ARM Tags API, which works at any scope (resource, group)."""

from __future__ import annotations

from costplane.adapters.azure.http import ARM, arm_path
from costplane.adapters.rest import RestClient, body_of
from costplane.engine.ports import ResourceRef

TAGS_API_VERSION = "2021-04-01"


def tags_url(resource_id: str) -> str:
    return f"{ARM}{arm_path(resource_id)}/providers/Microsoft.Resources/tags/default"


class AzureInventory:
    """`GET {id}/providers/Microsoft.Resources/tags/default`; a 404 raises ResourceGone."""

    def __init__(self, arm: RestClient) -> None:
        self.arm = arm

    def get_tags(self, ref: ResourceRef) -> dict[str, str]:
        response = self.arm.call(
            "GET",
            tags_url(ref.resource_id),
            resource=ref.resource_id,
            params={"api-version": TAGS_API_VERSION},
        )
        properties = body_of(response).get("properties") or {}
        return {str(k): str(v) for k, v in (properties.get("tags") or {}).items()}
