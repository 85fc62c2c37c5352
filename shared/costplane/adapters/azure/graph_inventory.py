"""Read a resource's tags from Azure Resource Graph, one query by id, for the events that
carry none (Event Grid writes never do).

Resource Graph answers for any resource type with one request shape. Where it does not answer,
the ARM Tags API does: a resource not indexed yet (Resource Graph follows ARM by seconds, so
a resource created a moment ago may have no row), a type it does not index, a query it
throttles or refuses. The Tags API also says when a resource is gone (ResourceGone), which an
index cannot. Tags read from the index may be seconds behind ARM; the enforcer's own reads
(before it removes tags) stay on the Tags API. An Azure OpenAI deployment, which the index does
not hold, has its own tags over its account's (`capacity_openai.deployment_tags`).
"""

from __future__ import annotations

from costplane.adapters.azure.capacity_openai import DEPLOYMENT_TYPE, deployment_tags
from costplane.adapters.azure.inventory import AzureInventory
from costplane.adapters.azure.resource_graph import kql_string, query_graph
from costplane.adapters.rest import CloudApiError, RestClient
from costplane.engine.ports import ResourceRef

CONTAINER_TYPES = frozenset({"azure.resources.subscription", "azure.resources.resourcegroup"})
"""Indexed in the ResourceContainers table; every other type in Resources."""


def tags_query(ref: ResourceRef) -> str:
    """KQL: the row of the resource `ref` names (ARM ids compare without case)."""
    table = "ResourceContainers" if ref.resource_type in CONTAINER_TYPES else "Resources"
    return f"{table} | where id =~ {kql_string(ref.resource_id)} | project id, tags"


class AzureGraphInventory:
    """Inventory: Resource Graph first, the Tags API where it has no answer."""

    def __init__(self, arm: RestClient) -> None:
        self.arm = arm
        self.tags_api = AzureInventory(arm)

    def get_tags(self, ref: ResourceRef) -> dict[str, str]:
        if ref.resource_type == DEPLOYMENT_TYPE:  # not indexed: its own, over its account's
            return deployment_tags(self.arm, ref, self._indexed)
        return self._indexed(ref)

    def _indexed(self, ref: ResourceRef) -> dict[str, str]:
        if not ref.account:
            return self.tags_api.get_tags(ref)
        try:
            answer = query_graph(
                self.arm,
                [ref.account],
                tags_query(ref),
                resource=f"Resource Graph row of {ref.resource_id}",
            )
        except CloudApiError:
            return self.tags_api.get_tags(ref)
        rows = [row for row in answer.get("data") or [] if isinstance(row, dict)]
        if not rows:
            return self.tags_api.get_tags(ref)
        tags = rows[0].get("tags")
        return {str(k): str(v) for k, v in tags.items()} if isinstance(tags, dict) else {}
