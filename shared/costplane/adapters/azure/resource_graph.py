"""One Azure Resource Graph query (`POST /providers/Microsoft.ResourceGraph/resources`), for
the mark sweep and the inventory: the request shape of api-version 2022-10-01, rows as objects."""

from __future__ import annotations

from costplane.adapters.azure.http import ARM
from costplane.adapters.rest import Json, RestClient, body_of

GRAPH_API_VERSION = "2022-10-01"
GRAPH_URL = f"{ARM}/providers/Microsoft.ResourceGraph/resources"


def kql_string(value: str) -> str:
    """`value` as a single-quoted KQL string literal."""
    escaped = value.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"


def query_graph(
    arm: RestClient,
    subscriptions: list[str],
    query: str,
    *,
    resource: str,
    options: dict[str, object] | None = None,
) -> Json:
    """The answer to `query` over `subscriptions` (`data`, and `$skipToken` when it pages)."""
    response = arm.call(
        "POST",
        GRAPH_URL,
        resource=resource,
        params={"api-version": GRAPH_API_VERSION},
        body={
            "subscriptions": subscriptions,
            "query": query,
            "options": {"resultFormat": "objectArray", **(options or {})},
        },
        missing_is_gone=False,
    )
    return body_of(response)
