"""The Azure mark sweep as the Functions host runs it: the timer blueprint registered by
function_app, querying Resource Graph over the configured subscriptions."""

from __future__ import annotations

import sys

from costplane.adapters.azure.marked import marked_query
from tests.integration.azure_adapters.http_script import Exchange, Script

SUB = "0b1f6471-1bf0-4dda-aec3-cb9272f09590"
GRAPH = "https://management.azure.com/providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01"


def test_a_timer_tick_queries_resource_graph_for_the_subscription(
    cloud_env, serve, function_app, monkeypatch
):
    monkeypatch.setenv("COSTPLANE_SWEEP_SUBSCRIPTIONS", f'["{SUB}"]')
    body = {
        "subscriptions": [SUB],
        "query": marked_query("costplane-op"),
        "options": {"$top": 1000, "resultFormat": "objectArray"},
    }
    script = Script(
        Exchange("POST", GRAPH, body=body, reply={"data": []}), token="azure-test-token"
    )
    serve(script)
    blueprint = sys.modules["blueprints.mark_sweep"]
    blueprint.service.cache_clear()
    blueprint.on_timer(None)
    assert script.done
