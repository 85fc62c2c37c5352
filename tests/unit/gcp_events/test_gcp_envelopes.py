"""The real LogEntries wrapped as each GCP route delivers them parse into the same event."""

from __future__ import annotations

import base64
from typing import Any

import orjson
import pytest

from costplane.engine.envelopes import ParsedPayload, parse_payload
from tests.conftest import EVENTS
from tests.support.placeholders import filled_bytes

AUDIT_ENTRIES = sorted(
    p.name
    for p in (EVENTS / "gcp").glob("gcp-auditlog-*.json")
    if "container-clusters" not in p.name  # a Kubernetes API call: not a governed method
)
SUBSCRIPTION = "projects/my-project/subscriptions/costplane-audit"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def pubsub_push(data: str, message_id: str = "9876543210") -> dict[str, Any]:
    """What a push subscription (or Eventarc's MessagePublishedData) POSTs."""
    return {
        "message": {"data": data, "messageId": message_id, "publishTime": "2021-02-05T04:06:14Z"},
        "subscription": SUBSCRIPTION,
    }


def cloud_event(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """A structured-mode CloudEvent as Eventarc delivers it."""
    return {
        "specversion": "1.0",
        "type": kind,
        "source": "//cloudaudit.googleapis.com/projects/my-project/logs/activity",
        "id": "projects/my-project/logs/cloudaudit.googleapis.com%2Factivity-1a2b3c",
        "time": "2021-02-05T04:06:14.109Z",
        "datacontenttype": "application/json",
        "data": data,
    }


def parse(document: Any) -> ParsedPayload:
    return parse_payload(orjson.dumps(document))


def only_event_of(result: ParsedPayload) -> dict[str, Any]:
    assert result.rejected == [], [r.reason for r in result.rejected]
    [event] = result.events
    return event.model_dump()


@pytest.mark.parametrize("name", AUDIT_ENTRIES)
def test_log_sink_pubsub_push_yields_the_bare_entry_event(gcp_payload: Any, name: str) -> None:
    expected = only_event_of(parse(gcp_payload(name)))
    raw = filled_bytes(EVENTS / "gcp" / name)
    result = parse(pubsub_push(b64(raw)))
    assert result.envelope == "gcp.pubsub"
    assert only_event_of(result) == expected


@pytest.mark.parametrize("name", AUDIT_ENTRIES)
def test_eventarc_audit_log_cloud_event_yields_the_bare_entry_event(
    gcp_payload: Any, name: str
) -> None:
    expected = only_event_of(parse(gcp_payload(name)))
    result = parse(cloud_event("google.cloud.audit.log.v1.written", gcp_payload(name)))
    assert result.envelope == "gcp.cloudevent"
    assert only_event_of(result) == expected


@pytest.mark.parametrize("name", AUDIT_ENTRIES)
def test_pubsub_cloud_event_carrying_an_entry_yields_the_bare_entry_event(
    gcp_payload: Any, name: str
) -> None:
    expected = only_event_of(parse(gcp_payload(name)))
    published = pubsub_push(b64(filled_bytes(EVENTS / "gcp" / name)))
    result = parse(cloud_event("google.cloud.pubsub.topic.v1.messagePublished", published))
    assert only_event_of(result) == expected


def test_the_same_entry_through_two_routes_has_one_idempotency_key(instance_insert: Any) -> None:
    [direct] = parse(cloud_event("google.cloud.audit.log.v1.written", instance_insert)).events
    [pushed] = parse(pubsub_push(b64(orjson.dumps(instance_insert)), "other-id")).events
    assert direct.idempotency_key == pushed.idempotency_key


@pytest.mark.parametrize("garbage", ["{not base64!", "dGVzdA", "dGVz dA==", "dGVzdA==é"])
def test_data_that_is_not_base64_is_rejected(garbage: str) -> None:
    [rejection] = parse(pubsub_push(garbage)).rejected
    assert (rejection.code, rejection.skipped) == ("invalid_base64", False)
    assert rejection.event_id == "9876543210"


def test_truncated_entry_in_a_message_is_malformed_json(instance_insert: Any) -> None:
    raw = orjson.dumps(instance_insert)
    [rejection] = parse(pubsub_push(b64(raw[: len(raw) // 2]))).rejected
    assert (rejection.code, rejection.skipped) == ("malformed_json", False)
    assert "Pub/Sub message data" in rejection.reason


def test_rejection_inside_a_cloud_event_is_identified_by_the_cloud_event(
    gcp_payload: Any,
) -> None:
    result = parse(gcp_payload("gcp-pubsub-messagepublished-cloudevent-structured.json"))
    [rejection] = result.rejected
    assert rejection.code == "not_a_resource_event"
    assert rejection.event_id == "aaaaaa-1111-bbbb-2222-cccccccccccc"


def test_plain_text_message_is_not_a_resource_event(gcp_payload: Any) -> None:
    result = parse(gcp_payload("gcp-pubsub-messagepublished-cloudevent-data-text.json"))
    [rejection] = result.rejected
    assert (rejection.code, rejection.skipped) == ("not_a_resource_event", True)
    assert rejection.event_id == "message-id"


def test_budget_notification_in_a_message_is_a_budget_signal() -> None:
    budget = (EVENTS / "gcp" / "gcp-billing-budget-notification-message-data.json").read_bytes()
    parsed = parse(pubsub_push(b64(budget)))
    assert (parsed.envelope, parsed.events, parsed.rejected) == ("gcp.billing.budget", [], [])
    assert [s.budget for s in parsed.signals] == ["BUDGET_NAME"]


def test_other_json_in_a_message_is_not_a_resource_event() -> None:
    [rejection] = parse(pubsub_push(b64(b'{"project_id": "p", "plugin": "Instances"}'))).rejected
    assert (rejection.code, rejection.skipped) == ("not_a_resource_event", True)


def test_message_without_data_is_rejected_as_missing_field() -> None:
    document = pubsub_push("")
    del document["message"]["data"]
    [rejection] = parse(document).rejected
    assert rejection.code == "missing_field"


def test_cloud_event_of_another_google_type_is_skipped() -> None:
    result = parse(cloud_event("google.cloud.storage.object.v1.finalized", {"bucket": "b"}))
    [rejection] = result.rejected
    assert (rejection.code, rejection.skipped) == ("unsupported_event", True)
    assert "google.cloud.storage.object.v1.finalized" in rejection.reason


def test_cloud_event_without_data_is_rejected() -> None:
    document = cloud_event("google.cloud.audit.log.v1.written", {})
    del document["data"]
    [rejection] = parse(document).rejected
    assert rejection.code == "missing_field"


def test_truncated_log_entry_is_malformed_json() -> None:
    raw = filled_bytes(EVENTS / "gcp" / "gcp-auditlog-storage-buckets-create-logentry.json")
    [rejection] = parse_payload(raw[:-40]).rejected
    assert rejection.code == "malformed_json"
