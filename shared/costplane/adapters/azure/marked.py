"""The resources carrying the mark tag, per subscription: one Azure Resource Graph query,
1,000 rows a page, continued with the `$skipToken` the previous page returned.

Resource Graph is an index, seconds to minutes behind ARM; the sweep re-reads a due resource's
tags from ARM itself before it acts (and learns there that it is gone).
"""

from __future__ import annotations

from costplane.adapters.azure.eventgrid_arm import parse_arm_id
from costplane.adapters.azure.resource_graph import kql_string, query_graph
from costplane.adapters.rest import RestClient
from costplane.domain.events import Provider
from costplane.engine.ports import ResourceRef
from costplane.tagging.ports import MarkedResource, MarkPage

PAGE_SIZE = 1000  # the API's maximum `$top`


def marked_query(tag: str) -> str:
    """KQL: resources whose tag `tag` is set, with what the sweep needs of them."""
    return (
        f"Resources | where isnotempty(tags[{kql_string(tag)}]) "
        "| project id, type, location, subscriptionId, tags | order by id asc"
    )


class AzureMarkedResources:
    """MarkFinder: the resources tagged `tag` in each of `subscriptions`."""

    def __init__(self, arm: RestClient, tag: str, subscriptions: list[str]) -> None:
        self.arm = arm
        self.tag = tag
        self.subscriptions = subscriptions

    def scopes(self) -> list[str]:
        return list(self.subscriptions)

    def page(self, scope: str, token: str | None) -> MarkPage:
        options: dict[str, object] = {"$top": PAGE_SIZE}
        if token:
            options["$skipToken"] = token
        answer = query_graph(
            self.arm,
            [scope],
            marked_query(self.tag),
            resource=f"Resource Graph of subscription {scope}",
            options=options,
        )
        rows = answer.get("data") or []
        found = [_marked(row) for row in rows if isinstance(row, dict)]
        following = answer.get("$skipToken")
        return MarkPage(found, following if isinstance(following, str) and following else None)


def _marked(row: dict[str, object]) -> MarkedResource:
    arm = parse_arm_id(str(row["id"]))
    location = row.get("location")
    ref = ResourceRef(
        provider=Provider.AZURE,
        account=arm.subscription,
        region=location if isinstance(location, str) and location else None,
        resource_id=arm.resource_id,
        resource_type=arm.resource_type,
    )
    tags = row.get("tags")
    return MarkedResource(
        ref, {str(k): str(v) for k, v in (tags or {}).items()} if isinstance(tags, dict) else {}
    )
