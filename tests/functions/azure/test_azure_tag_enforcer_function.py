"""The Azure Function App's tag enforcer, called with the real azure.functions request and event
classes, deciding through the Azure plane whose ARM calls an in-memory Tags API and Resource
Graph answer.

Event Grid does not carry tags: every decision reads them from Resource Graph first (POST), then
remediation merges the inherited CostCenter (PATCH Merge). Storage accounts cannot be stopped,
so a violation is remediated and notified, never marked for a stop.
"""

from __future__ import annotations

import json
from datetime import datetime

import azure.functions as func
import orjson
import pytest

from costplane.domain.errors import DeliveryFailed
from tests.functions.azure.conftest import STORAGE, TAGS, payload

WEBHOOK_URL = "https://costplane.azurewebsites.net/api/tag_enforcer"
WRITE_EVENT = "azure-eventgrid-resourcegroup-resourcewritesuccess.json"
TAGS_API = {"api-version": "2021-04-01"}
GRAPH_QUERY = {
    "subscriptions": [STORAGE.split("/")[2]],
    "query": f"Resources | where id =~ '{STORAGE}' | project id, tags",
    "options": {"resultFormat": "objectArray"},
}


def post(body: bytes, event_type: str = "Notification") -> func.HttpRequest:
    headers = {"Content-Type": "application/json", "aeg-event-type": event_type}
    return func.HttpRequest("POST", WEBHOOK_URL, headers=headers, body=body)


def options(headers: dict[str, str]) -> func.HttpRequest:
    return func.HttpRequest("OPTIONS", WEBHOOK_URL, headers=headers, body=b"")


def body_of(response: func.HttpResponse) -> dict:
    return orjson.loads(response.get_body())


def test_the_app_registers_an_event_grid_trigger_and_a_webhook(function_app):
    functions = {f.get_function_name(): f for f in function_app.app.get_functions()}

    assert {"tag_enforcer", "tag_enforcer_webhook"} <= set(functions)
    trigger = functions["tag_enforcer"].get_trigger()
    assert trigger.get_binding_name() == "eventGridTrigger"
    webhook = json.loads(functions["tag_enforcer_webhook"].get_function_json())
    [http] = [b for b in webhook["bindings"] if b["type"] == "httpTrigger"]
    assert (http["route"], sorted(http["methods"])) == ("tag_enforcer", ["OPTIONS", "POST"])


def test_the_webhook_answers_the_subscription_validation_handshake(blueprint, arm):
    request = post(
        payload("azure-eventgrid-subscriptionvalidationevent.json"), "SubscriptionValidation"
    )

    response = blueprint.webhook(request)

    assert response.status_code == 200
    assert body_of(response) == {"validationResponse": "512d38b6-c7b8-40c8-89fe-f46f9e9622b6"}
    assert arm.requests == []


def test_the_webhook_grants_event_grid_the_cloudevents_handshake(blueprint, arm):
    response = blueprint.webhook(options({"WebHook-Request-Origin": "eventgrid.azure.net"}))

    assert response.status_code == 200
    assert response.headers["WebHook-Allowed-Origin"] == "eventgrid.azure.net"
    assert response.headers["WebHook-Allowed-Rate"] == "*"


def test_the_cloudevents_handshake_without_an_origin_is_a_400(blueprint, arm):
    response = blueprint.webhook(options({}))

    assert response.status_code == 400
    assert body_of(response)["error"] == "missing_origin"


def test_the_cloudevents_handshake_from_another_origin_is_refused(blueprint, arm):
    response = blueprint.webhook(options({"WebHook-Request-Origin": "attacker.example"}))

    assert response.status_code == 403
    assert body_of(response)["error"] == "origin_not_allowed"


def test_malformed_json_is_a_400_with_the_precise_reason(blueprint, arm):
    truncated = payload(WRITE_EVENT)[:200]

    response = blueprint.webhook(post(truncated))

    assert response.status_code == 400
    body = body_of(response)
    assert body["error"] == "malformed_json"
    assert body["reason"].startswith("payload is not valid JSON: ")
    assert arm.requests == []


def test_an_empty_body_is_a_400(blueprint, arm):
    response = blueprint.webhook(post(b""))

    assert (response.status_code, body_of(response)["error"]) == (400, "empty_payload")


def test_a_resource_write_is_decided_from_the_tags_resource_graph_returns(blueprint, arm):
    response = blueprint.webhook(post(payload(WRITE_EVENT)))

    assert response.status_code == 200
    [decision] = body_of(response)["decisions"]
    assert (decision["outcome"], decision["resource_id"]) == ("violation", STORAGE)
    assert decision["missing_tags"] == ["Team", "Environment", "DataClassification"]
    assert [(a["kind"], a["status"]) for a in decision["actions"]] == [
        ("tag", "done"),
        ("notify", "done"),
    ]
    assert arm.calls() == [
        (
            "POST",
            "/providers/Microsoft.ResourceGraph/resources",
            {"api-version": "2022-10-01"},
            GRAPH_QUERY,
        ),
        (
            "PATCH",
            STORAGE + TAGS,
            TAGS_API,
            {"operation": "Merge", "properties": {"tags": {"CostCenter": "CC-1001"}}},
        ),
    ]
    assert {r.headers["Authorization"] for r in arm.requests} == {"Bearer azure-test-token"}


def test_a_cloudevents_schema_delivery_is_decided_like_an_event_grid_one(blueprint, arm):
    [event] = orjson.loads(payload(WRITE_EVENT))
    cloud_event = {
        "specversion": "1.0",
        "type": event["eventType"],
        "source": event["topic"],
        "subject": event["subject"],
        "id": event["id"],
        "time": event["eventTime"],
        "data": event["data"],
    }

    response = blueprint.webhook(post(orjson.dumps([cloud_event])))

    assert response.status_code == 200
    [decision] = body_of(response)["decisions"]
    assert (decision["outcome"], decision["resource_id"]) == ("violation", STORAGE)


def test_the_same_event_delivered_twice_acts_once(blueprint, arm):
    blueprint.webhook(post(payload(WRITE_EVENT)))

    response = blueprint.webhook(post(payload(WRITE_EVENT)))

    [decision] = body_of(response)["decisions"]
    assert decision["outcome"] == "skipped"
    assert decision["reason"].startswith("duplicate delivery")
    assert [method for method, *_ in arm.calls()] == ["POST", "PATCH"]


def test_a_refused_tag_write_answers_500_so_event_grid_retries(blueprint, arm):
    arm.refuse_writes = True

    response = blueprint.webhook(post(payload(WRITE_EVENT)))

    assert response.status_code == 500
    [failure] = body_of(response)["failed"]
    assert failure.startswith(f"{STORAGE}: tag failed: CloudApiError: ")
    assert "failed with HTTP 403 AuthorizationFailed" in failure


def test_a_delivery_that_is_not_a_resource_event_is_acknowledged(blueprint, arm):
    response = blueprint.webhook(post(payload("azure-marketplace-saas-webhook-suspend.json")))

    assert response.status_code == 200
    [decision] = body_of(response)["decisions"]
    assert decision["outcome"] == "skipped"


def grid_event(name: str = WRITE_EVENT) -> func.EventGridEvent:
    """The sample as the Event Grid trigger binding hands it to the function."""
    [event] = orjson.loads(payload(name))
    return func.EventGridEvent(
        id=event["id"],
        data=event["data"],
        topic=event["topic"],
        subject=event["subject"],
        event_type=event["eventType"],
        event_time=datetime.fromisoformat(event["eventTime"][:26] + "+00:00"),
        data_version=event["dataVersion"],
    )


def test_the_event_grid_trigger_decides_an_event(blueprint, arm):
    blueprint.on_event_grid(grid_event())

    assert [method for method, *_ in arm.calls()] == ["POST", "PATCH"]
    assert arm.tags[STORAGE] == {"CostCenter": "CC-1001"}


def test_the_event_grid_trigger_raises_when_an_action_failed(blueprint, arm):
    arm.refuse_writes = True

    with pytest.raises(DeliveryFailed, match="AuthorizationFailed"):
        blueprint.on_event_grid(grid_event())
