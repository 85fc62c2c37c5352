"""AzureGraphInventory reads a resource's tags from Resource Graph by id (the exact request
of api-version 2022-10-01), and from the Tags API where Resource Graph has no answer."""

from __future__ import annotations

from typing import Any

import pytest

from costplane.adapters.azure.graph_inventory import AzureGraphInventory, tags_query
from costplane.engine.ports import ResourceGone
from tests.integration.azure_adapters.azure_support import (
    ARM,
    RG,
    SUB,
    TAGS,
    VM,
    arm_error,
    ref,
    tags_resource,
)
from tests.integration.azure_adapters.http_script import Exchange, Script, rest

GRAPH = f"{ARM}/providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01"
TEAM = {"CostCenter": "CC-1001", "Team": "payments"}


def query(text: str) -> dict[str, Any]:
    return {"subscriptions": [SUB], "query": text, "options": {"resultFormat": "objectArray"}}


def answer(*rows: dict[str, Any]) -> dict[str, Any]:
    """Resource Graph's `QueryResponse`."""
    n = len(rows)
    return {"totalRecords": n, "count": n, "resultTruncated": "false", "data": list(rows)}


def test_the_query_names_the_resource_by_id_ignoring_case() -> None:
    assert tags_query(ref()) == f"Resources | where id =~ '{VM}' | project id, tags"


def test_a_resource_group_is_looked_up_among_resource_containers() -> None:
    group = ref(RG, "azure.resources.resourcegroup")
    assert tags_query(group) == f"ResourceContainers | where id =~ '{RG}' | project id, tags"


def test_a_quote_in_an_id_cannot_end_the_kql_string() -> None:
    odd = ref(f"{RG}/providers/Microsoft.Web/sites/o'brien", "azure.web.site")
    assert "sites/o\\'brien'" in tags_query(odd)


def test_tags_come_from_the_resource_graph_row() -> None:
    script = Script(
        Exchange(
            "POST", GRAPH, body=query(tags_query(ref())), reply=answer({"id": VM, "tags": TEAM})
        )
    )
    assert AzureGraphInventory(rest(script)).get_tags(ref()) == TEAM
    assert script.done


def test_a_row_without_tags_means_an_untagged_resource() -> None:
    script = Script(
        Exchange(
            "POST", GRAPH, body=query(tags_query(ref())), reply=answer({"id": VM, "tags": None})
        )
    )
    assert AzureGraphInventory(rest(script)).get_tags(ref()) == {}


def test_a_resource_not_indexed_yet_is_read_through_the_tags_api() -> None:
    script = Script(
        Exchange("POST", GRAPH, body=query(tags_query(ref())), reply=answer()),
        Exchange("GET", f"{ARM}{VM}{TAGS}", reply=tags_resource(VM, TEAM)),
    )
    assert AzureGraphInventory(rest(script)).get_tags(ref()) == TEAM
    assert script.done


def test_a_throttled_query_is_answered_by_the_tags_api() -> None:
    script = Script(
        Exchange(
            "POST",
            GRAPH,
            body=query(tags_query(ref())),
            status=429,
            reply=arm_error("RateLimiting", "Please provide below info when asking for support"),
        ),
        Exchange("GET", f"{ARM}{VM}{TAGS}", reply=tags_resource(VM, TEAM)),
    )
    assert AzureGraphInventory(rest(script)).get_tags(ref()) == TEAM
    assert script.done


def test_a_deleted_resource_is_gone_as_the_tags_api_says() -> None:
    script = Script(
        Exchange("POST", GRAPH, body=query(tags_query(ref())), reply=answer()),
        Exchange(
            "GET",
            f"{ARM}{VM}{TAGS}",
            status=404,
            reply=arm_error("ResourceNotFound", "The Resource was not found."),
        ),
    )
    with pytest.raises(ResourceGone):
        AzureGraphInventory(rest(script)).get_tags(ref())
