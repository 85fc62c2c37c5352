"""The GCP policy runner served by functions-framework, called with the requests Eventarc and
Pub/Sub really send, deciding through the GCP plane whose REST calls the tag enforcer tests'
in-memory Google APIs answer, and taking the real Cloud Billing budget notification
(events/gcp) as Pub/Sub delivers it: a messagePublished CloudEvent or a push.

Audit logs do not carry labels: a decision reads them first (GET), then `cost-center-required`
writes its label.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson

from costplane.approvals.model import ApprovalStatus
from costplane.domain.decisions import ActionStatus
from tests.functions.gcp.conftest import INSTANCE, TOPIC, entry, pubsub_push
from tests.functions.gcp.test_gcp_tag_enforcer_function import TOPIC_ENTRY, structured
from tests.functions.policy_runner.conftest import audit_log, unsent_request

INSTANCE_ENTRY = "gcp-auditlog-compute-instances-insert-logentry.json"
BUDGET = "gcp-billing-budget-notification-message-data.json"
BUDGET_ATTRIBUTES = {
    "schemaVersion": "1.0",
    "billingAccountId": "01D4EE-079462-DFD6EC",
    "budgetId": "de72f49d-779b-4945-a127-4d6ce8def0bb",
}
PUBLISHED = datetime(2026, 11, 27, 6, 0, 0, 123000, tzinfo=UTC)  # pubsub_push's publishTime
LABEL = {"costplane-review": "required"}


def budget_push(cost: float | None = None, message_id: str = "11620911961512380") -> dict:
    """The real budget notification in the Pub/Sub message a push subscription POSTs."""
    data = entry(BUDGET)
    if cost is not None:
        data["costAmount"] = cost
    return pubsub_push(data, BUDGET_ATTRIBUTES, message_id)


def message_published(push: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    """The same message as Eventarc delivers it: a structured messagePublished CloudEvent."""
    event = {
        "specversion": "1.0",
        "type": "google.cloud.pubsub.topic.v1.messagePublished",
        "source": "//pubsub.googleapis.com/projects/test-project/topics/budgets",
        "id": push["message"]["messageId"],
        "time": push["message"]["publishTime"],
        "datacontenttype": "application/json",
        "data": push,
    }
    return orjson.dumps(event), {"Content-Type": "application/cloudevents+json"}


# Resource events ---------------------------------------------------------------------------


def test_an_audit_log_cloudevent_is_decided_by_the_policies(serve_runner, google, cloud_env):
    body, headers = structured(entry(TOPIC_ENTRY))

    response = serve_runner("policy_runner").post("/", data=body, headers=headers)

    assert response.status_code == 200
    assert google.calls()[-1] == (
        "PATCH",
        TOPIC,
        {},
        {"topic": {"labels": LABEL}, "updateMask": "labels"},
    )
    [decision] = audit_log(cloud_env)
    assert decision.policy == "cost-center-required"


def test_a_pushed_instance_insert_is_decided_and_labelled(serve_runner, google):
    response = serve_runner("policy_runner_push").post("/", json=pubsub_push(entry(INSTANCE_ENTRY)))

    assert response.status_code == 200
    [decision] = response.get_json()["decisions"]
    assert [(a["kind"], a["status"]) for a in decision["actions"]] == [("tag", "done")]
    assert google.labels[INSTANCE] == LABEL


def test_a_refused_label_write_answers_500_so_pubsub_redelivers(serve_runner, google):
    google.refuse_writes = True

    response = serve_runner("policy_runner_push").post("/", json=pubsub_push(entry(TOPIC_ENTRY)))

    assert response.status_code == 500
    [failure] = response.get_json()["failed"]
    assert "tag failed" in failure
    assert "PERMISSION_DENIED" in failure


def test_a_failed_action_in_a_cloudevent_is_a_500_so_eventarc_retries(serve_runner, google):
    google.refuse_writes = True
    body, headers = structured(entry(TOPIC_ENTRY))

    response = serve_runner("policy_runner").post("/", data=body, headers=headers)

    assert response.status_code == 500


def test_one_log_entry_delivered_by_eventarc_and_by_pubsub_acts_once(serve_runner, google):
    body, headers = structured(entry(TOPIC_ENTRY))
    serve_runner("policy_runner").post("/", data=body, headers=headers)
    writes = len(google.requests)

    response = serve_runner("policy_runner_push").post("/", json=pubsub_push(entry(TOPIC_ENTRY)))

    [decision] = response.get_json()["decisions"]
    assert decision["reason"].startswith("duplicate delivery")
    assert len(google.requests) == writes


def test_a_push_body_that_is_not_json_is_a_400_with_the_precise_reason(serve_runner, google):
    response = serve_runner("policy_runner_push").post(
        "/", data=b'{"message": {"data": "eyJ', headers={"Content-Type": "application/json"}
    )

    assert response.status_code == 400
    assert response.get_json()["error"] == "malformed_json"
    assert google.requests == []


# Budget notifications ----------------------------------------------------------------------


def test_a_budget_notification_cloudevent_updates_the_budget_and_is_audited(
    serve_runner, google, cloud_env: Path
):
    body, headers = message_published(budget_push())

    response = serve_runner("policy_runner").post("/", data=body, headers=headers)

    assert response.status_code == 200
    [decision] = audit_log(cloud_env)
    assert (decision.policy, decision.outcome.value) == ("budget-signal", "compliant")
    assert decision.reason == "BUDGET_NAME: actual 2.0 of 0.01 USD; updated gcp-projects"
    assert google.requests == []


def test_a_budget_notification_pushed_by_pubsub_updates_the_budget(serve_runner, google):
    client = serve_runner("policy_runner_push")

    response = client.post("/", json=budget_push())

    assert response.status_code == 200
    [decision] = response.get_json()["decisions"]
    assert decision["event_id"] == "11620911961512380"
    assert sys.modules["main"].service().spend.budget_views(PUBLISHED)[
        "gcp-projects"
    ].actual == Decimal("2.0")


def test_a_budget_over_its_threshold_reaches_the_next_resource_event(serve_runner, google):
    client = serve_runner("policy_runner_push")
    push = budget_push(cost=90.0)
    push["message"]["publishTime"] = datetime.now(UTC).isoformat()
    client.post("/", json=push)

    response = client.post("/", json=pubsub_push(entry(INSTANCE_ENTRY), message_id="2"))

    assert "budget-gcp-projects-projected-80" in {
        d["policy"] for d in response.get_json()["decisions"]
    }


# Approvals without a chat channel ------------------------------------------------------------


def test_an_approval_without_chat_credentials_is_not_taken_recorded_unsent_and_acknowledged(
    serve_runner, approval_policies, google, cloud_env
):
    response = serve_runner("policy_runner_push").post("/", json=pubsub_push(entry(INSTANCE_ENTRY)))

    assert response.status_code == 200, "a channel not configured is final: no redelivery"
    [decision] = audit_log(cloud_env)
    [action] = decision.actions
    assert action.status is ActionStatus.NOT_TAKEN
    assert action.error.startswith("no slack credentials are configured; request ")
    unsent = unsent_request(cloud_env, decision)
    assert unsent.status is ApprovalStatus.UNSENT
