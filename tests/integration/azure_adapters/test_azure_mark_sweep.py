"""The mark sweep on Azure: Resource Graph finds the marked resources (exact requests, pages by
`$skipToken`), and a due mark is carried out over ARM: tags re-read, VM deallocated, mark
removed."""

from __future__ import annotations

from datetime import timedelta

from costplane.adapters.azure.enforcer import AzureEnforcer
from costplane.adapters.azure.inventory import AzureInventory
from costplane.adapters.azure.marked import AzureMarkedResources, marked_query
from costplane.adapters.local.plane import CounterMetrics, LogNotifier
from costplane.adapters.local.sqlite import SqliteRecords
from costplane.adapters.state_records import RecordStateStore
from costplane.adapters.sweep_records import RecordCursorStore
from costplane.bootstrap import EXAMPLE_TAXONOMY
from costplane.domain.decisions import ActionKind
from costplane.domain.events import Provider
from costplane.domain.marks import Mark
from costplane.engine.ports import ProviderPorts
from costplane.tagging.loader import load_taxonomy
from costplane.tagging.service import TagEnforcer
from costplane.tagging.sweep import MarkSweep
from tests.integration.azure_adapters.azure_support import ARM, SUB, TAGS, VM, tags_resource
from tests.integration.azure_adapters.http_script import Exchange, Script, rest
from tests.support.tagging import NOW, FixedClock, enforcing_at_once

GRAPH = f"{ARM}/providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01"
MARK = Mark(ActionKind.STOP, NOW - timedelta(minutes=1)).encode()


def query(skip: str | None = None) -> dict:
    options: dict = {"$top": 1000, "resultFormat": "objectArray"}
    if skip:
        options["$skipToken"] = skip
    return {"subscriptions": [SUB], "query": marked_query("costplane-op"), "options": options}


def row(resource_id: str, tags: dict[str, str]) -> dict:
    return {
        "id": resource_id,
        "type": "microsoft.compute/virtualmachines",
        "location": "westeurope",
        "subscriptionId": SUB,
        "tags": tags,
    }


def test_the_query_selects_resources_whose_mark_tag_is_set():
    assert marked_query("costplane-op") == (
        "Resources | where isnotempty(tags['costplane-op']) "
        "| project id, type, location, subscriptionId, tags | order by id asc"
    )


def test_pages_follow_the_skip_token_and_name_each_resource_as_event_grid_does():
    second = VM.replace("vm-build-01", "vm-build-02")
    script = Script(
        Exchange("POST", GRAPH, body=query(), reply={"data": [row(VM, {})], "$skipToken": "p2"}),
        Exchange("POST", GRAPH, body=query("p2"), reply={"data": [row(second, {})]}),
    )
    finder = AzureMarkedResources(rest(script), "costplane-op", [SUB])
    first = finder.page(SUB, None)
    assert first.next_token == "p2"
    [listed] = first.resources
    assert listed.ref.resource_type == "azure.compute.virtualmachine"
    assert (listed.ref.account, listed.ref.region) == (SUB, "westeurope")
    assert finder.page(SUB, "p2").next_token is None
    assert script.done


def test_a_due_mark_deallocates_the_vm_after_re_reading_its_tags_and_then_removes_the_mark():
    delete = {"operation": "Delete", "properties": {"tags": {"costplane-op": MARK}}}
    script = Script(
        Exchange("POST", GRAPH, body=query(), reply={"data": [row(VM, {"costplane-op": MARK})]}),
        Exchange("GET", f"{ARM}{VM}{TAGS}", reply=tags_resource(VM, {"costplane-op": MARK})),
        Exchange("POST", f"{ARM}{VM}/deallocate?api-version=2024-07-01", status=202),
        Exchange("GET", f"{ARM}{VM}{TAGS}", reply=tags_resource(VM, {"costplane-op": MARK})),
        Exchange("PATCH", f"{ARM}{VM}{TAGS}", body=delete, reply=tags_resource(VM, {})),
    )
    arm, clock, records = rest(script), FixedClock(), SqliteRecords(":memory:")
    ports = ProviderPorts(AzureInventory(arm), AzureEnforcer(arm, clock))
    taxonomy = load_taxonomy(EXAMPLE_TAXONOMY)
    taxonomy = taxonomy.model_copy(
        update={
            "enforcement": enforcing_at_once(taxonomy).enforcement.model_copy(
                update={"delay": timedelta(hours=24), "notify": False}
            )
        }
    )
    state = RecordStateStore(records, records, clock)
    enforcer = TagEnforcer(
        taxonomy, {Provider.AZURE: ports}, state, LogNotifier(), clock, CounterMetrics()
    )
    finder = AzureMarkedResources(arm, "costplane-op", [SUB])
    report = MarkSweep(enforcer, finder, RecordCursorStore(records)).sweep()
    assert report.outcomes == {"act": 1}
    assert script.done
