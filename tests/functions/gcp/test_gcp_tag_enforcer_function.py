"""The GCP tag enforcer served by functions-framework, called with the requests Eventarc and
Pub/Sub really send, deciding through the GCP plane whose REST calls in-memory APIs answer.

Audit logs do not carry labels: every decision reads them first (GET). The example taxonomy
gives GCP resources `environment: dev` by default, so remediation writes that label; a Compute
instance can be stopped, so it is also marked for a stop (the taxonomy's 24-hour delay).
"""

from __future__ import annotations

import orjson
import pytest

from tests.functions.gcp.conftest import INSTANCE, TOPIC, entry, pubsub_push

TOPIC_ENTRY = "gcp-auditlog-pubsub-createtopic-cloudevent-data.json"
INSTANCE_ENTRY = "gcp-auditlog-compute-instances-insert-logentry.json"
ATTRIBUTES = {
    "specversion": "1.0",
    "type": "google.cloud.audit.log.v1.written",
    "source": "//cloudaudit.googleapis.com/projects/test-project/logs/activity",
    "id": "projects/test-project/logs/cloudaudit.googleapis.com%2Factivity9frck8cf9j1593533687",
    "time": "2020-06-30T16:14:48.401489148Z",
    "subject": "pubsub.googleapis.com/projects/test-project/topics/test-auditlogs-source",
    "methodname": "google.pubsub.v1.Publisher.CreateTopic",
    "servicename": "pubsub.googleapis.com",
    "resourcename": "projects/test-project/topics/test-auditlogs-source",
}
TOPIC_CALLS = [
    ("GET", TOPIC, {}, None),
    ("GET", TOPIC, {}, None),
    ("PATCH", TOPIC, {}, {"topic": {"labels": {"environment": "dev"}}, "updateMask": "labels"}),
]


def structured(data: dict) -> tuple[bytes, dict[str, str]]:
    body = orjson.dumps({**ATTRIBUTES, "datacontenttype": "application/json", "data": data})
    return body, {"Content-Type": "application/cloudevents+json"}


def binary(data: dict) -> tuple[bytes, dict[str, str]]:
    headers = {f"ce-{name}": value for name, value in ATTRIBUTES.items()}
    return orjson.dumps(data), {**headers, "Content-Type": "application/json"}


@pytest.mark.parametrize("mode", [structured, binary], ids=["structured", "binary"])
def test_an_audit_log_cloudevent_is_decided_and_remediated(serve_function, google, mode):
    body, headers = mode(entry(TOPIC_ENTRY))

    response = serve_function("tag_enforcer").post("/", data=body, headers=headers)

    assert response.status_code == 200
    assert google.calls() == TOPIC_CALLS
    assert {r.headers["Authorization"] for r in google.requests} == {"Bearer gcp-test-token"}


def test_a_pubsub_push_of_an_instance_insert_labels_and_marks_the_instance(serve_function, google):
    push = pubsub_push(entry(INSTANCE_ENTRY))

    response = serve_function("tag_enforcer_push").post("/", json=push)

    assert response.status_code == 200
    [decision] = response.get_json()["decisions"]
    assert decision["outcome"] == "violation"
    assert decision["missing_tags"] == ["CostCenter", "Team"]
    assert [(a["kind"], a["status"]) for a in decision["actions"]] == [
        ("tag", "done"),
        ("notify", "done"),
        ("mark-for-op", "done"),
    ]
    labels = google.labels[INSTANCE]
    assert labels["environment"] == "dev"
    assert labels["costplane-op"].startswith("stop-")
    set_labels = [call for call in google.calls() if call[0] == "POST"]
    assert [path for _, path, _, _ in set_labels] == [INSTANCE + "/setLabels"] * 2
    assert set_labels[0][3] == {"labels": {"environment": "dev"}, "labelFingerprint": "fp-0"}


def test_one_log_entry_delivered_by_eventarc_and_by_pubsub_acts_once(serve_function, google):
    body, headers = structured(entry(TOPIC_ENTRY))
    serve_function("tag_enforcer").post("/", data=body, headers=headers)

    response = serve_function("tag_enforcer_push").post("/", json=pubsub_push(entry(TOPIC_ENTRY)))

    [decision] = response.get_json()["decisions"]
    assert decision["outcome"] == "skipped"
    assert decision["reason"].startswith("duplicate delivery")
    assert google.calls() == TOPIC_CALLS


def test_a_push_body_that_is_not_json_is_a_400_with_the_precise_reason(serve_function, google):
    response = serve_function("tag_enforcer_push").post(
        "/", data=b'{"message": {"data": "eyJ', headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.get_json()["error"] == "malformed_json"
    assert response.get_json()["reason"].startswith("payload is not valid JSON: ")
    assert google.requests == []


def test_a_push_whose_data_is_not_an_audit_log_is_acknowledged(serve_function, google):
    budget = entry("gcp-billing-budget-notification-message-data.json")

    attributes = {"schemaVersion": "1.0", "billingAccountId": "01D4EE-079462-DFD6EC"}

    response = serve_function("tag_enforcer_push").post("/", json=pubsub_push(budget, attributes))

    assert response.status_code == 200
    [decision] = response.get_json()["decisions"]
    assert (decision["outcome"], decision["event_id"]) == ("skipped", "11620911961512380")


def test_a_refused_label_write_answers_500_so_pubsub_redelivers(serve_function, google):
    google.refuse_writes = True

    response = serve_function("tag_enforcer_push").post("/", json=pubsub_push(entry(TOPIC_ENTRY)))

    assert response.status_code == 500
    [failure] = response.get_json()["failed"]
    assert "tag failed: CloudApiError" in failure
    assert "HTTP 403 PERMISSION_DENIED" in failure


def test_a_cloudevent_whose_action_failed_is_answered_500_so_eventarc_retries(
    serve_function, google
):
    google.refuse_writes = True
    body, headers = structured(entry(TOPIC_ENTRY))

    response = serve_function("tag_enforcer").post("/", data=body, headers=headers)

    assert response.status_code == 500


def test_a_failed_delivery_is_acted_on_again_when_retried(serve_function, google):
    google.refuse_writes = True
    body, headers = structured(entry(TOPIC_ENTRY))
    client = serve_function("tag_enforcer")
    client.post("/", data=body, headers=headers)
    google.refuse_writes = False

    response = client.post("/", data=body, headers=headers)

    assert response.status_code == 200
    assert google.labels[TOPIC] == {"environment": "dev"}
