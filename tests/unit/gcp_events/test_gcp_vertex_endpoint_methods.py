"""Vertex AI endpoint calls in Cloud Audit Logs -> ResourceEvents.

No public audit-log entry of a Vertex AI call was found (../shared/data/events, Cloud
Custodian's c7n_gcp test events). Each input is
the real Compute instances.insert entry with its method, resource name, request and response
replaced by those of the aiplatform v1 EndpointService reference (CreateEndpointRequest with its
Endpoint and labels, the long-running Operation it answers with, DeployModelRequest,
UndeployModelRequest, DeleteEndpointRequest); the operation fields of the base are dropped, as
a Vertex AI entry has none.
"""

from __future__ import annotations

from typing import Any

import pytest

from costplane.adapters.gcp.auditlog import parse_log_entry
from costplane.adapters.gcp.coverage import rows as gcp_coverage
from costplane.domain.events import Operation, ResourceEvent

PROJECT = "vertex-demo"
PARENT = f"projects/{PROJECT}/locations/us-central1"
ENDPOINT = f"{PARENT}/endpoints/4821937106"
API = "google.cloud.aiplatform.v1.EndpointService."


def entry(base: dict[str, Any], method: str, name: str, **payload: Any) -> dict[str, Any]:
    documented = {k: v for k, v in base.items() if k != "operation"}
    proto = {k: v for k, v in base["protoPayload"].items() if k not in ("request", "response")}
    documented["protoPayload"] = proto | {"methodName": method, "resourceName": name} | payload
    documented["resource"] = {"type": "audited_resource", "labels": {"project_id": PROJECT}}
    return documented


def event_of(document: dict[str, Any]) -> ResourceEvent:
    result = parse_log_entry(document)
    assert isinstance(result, ResourceEvent), getattr(result, "reason", result)
    return result


def test_create_endpoint_names_the_endpoint_of_its_operation_with_the_requested_labels(
    instance_insert: Any,
) -> None:
    document = entry(
        instance_insert,
        f"{API}CreateEndpoint",
        PARENT,
        request={
            "@type": "type.googleapis.com/google.cloud.aiplatform.v1.CreateEndpointRequest",
            "parent": PARENT,
            "endpoint": {"displayName": "search-ranker", "labels": {"team": "search"}},
        },
        response={
            "@type": "type.googleapis.com/google.longrunning.Operation",
            "name": f"{ENDPOINT}/operations/1873654120",
        },
    )

    event = event_of(document)

    assert (event.resource_type, event.resource_id, event.operation, event.tags) == (
        "gcp.aiplatform.endpoint",
        ENDPOINT,
        Operation.CREATE,
        {"team": "search"},
    )
    assert (event.account, event.region) == (PROJECT, "us-central1")


def test_create_endpoint_without_its_operation_names_the_requested_endpoint_id(
    instance_insert: Any,
) -> None:
    document = entry(
        instance_insert,
        f"{API}CreateEndpoint",
        PARENT,
        request={"parent": PARENT, "endpointId": "4821937106", "endpoint": {"displayName": "x"}},
    )

    assert event_of(document).resource_id == ENDPOINT


@pytest.mark.parametrize(
    ("method", "request_", "operation"),
    [
        ("DeployModel", {"endpoint": ENDPOINT, "deployedModel": {"model": "m"}}, Operation.STATE),
        ("UndeployModel", {"endpoint": ENDPOINT, "deployedModelId": "1"}, Operation.STATE),
        ("DeleteEndpoint", {"name": ENDPOINT}, Operation.DELETE),
    ],
)
def test_deploying_undeploying_and_deleting_change_the_endpoint(
    instance_insert: Any, method: str, request_: dict[str, Any], operation: Operation
) -> None:
    event = event_of(entry(instance_insert, f"{API}{method}", ENDPOINT, request=request_))

    assert (event.resource_type, event.resource_id, event.operation) == (
        "gcp.aiplatform.endpoint",
        ENDPOINT,
        operation,
    )


def test_update_endpoint_labels_is_a_tag_change(instance_insert: Any) -> None:
    request = {"endpoint": {"name": ENDPOINT, "labels": {"team": "ads"}}, "updateMask": "labels"}

    event = event_of(entry(instance_insert, f"{API}UpdateEndpoint", ENDPOINT, request=request))

    assert (event.operation, event.tags) == (Operation.TAG, {"team": "ads"})


def test_a_v1beta1_method_is_the_same_entry(instance_insert: Any) -> None:
    method = "google.cloud.aiplatform.v1beta1.EndpointService.DeleteEndpoint"

    assert event_of(entry(instance_insert, method, ENDPOINT)).operation is Operation.DELETE


def test_the_coverage_table_shows_the_endpoint_with_its_levers() -> None:
    [row] = [row for row in gcp_coverage() if row.resource_type == "gcp.aiplatform.endpoint"]

    assert row.create[0] == "google.cloud.aiplatform.endpointservice.createendpoint"
    assert {"suspend", "decommission"} <= set(row.actions)
