"""Policy runner on Cloud Run functions (functions-framework): every policy and budget
threshold against each resource event, and Cloud Billing budget notifications into the budgets
those policies read.

    policy_runner       CloudEvents from Eventarc: audit logs (google.cloud.audit.log.v1.written)
                        and Pub/Sub messages (messagePublished) carrying budget notifications
    policy_runner_push  Pub/Sub push deliveries: a log sink's LogEntry or a budget notification

Retries follow the other clouds: when an action failed, the CloudEvent function raises and the
push endpoint answers 500, so Eventarc or Pub/Sub delivers again (the core released its claim);
a payload the parsers reject is final and acknowledged. A push body that is not JSON did not
come from Pub/Sub: 400.
"""

from __future__ import annotations

import os
from functools import cache
from typing import TYPE_CHECKING, Any

import flask
import functions_framework
from cloudevents.http.event import CloudEvent

from costplane import bootstrap
from costplane.domain.errors import EventRejected
from costplane.events.registry import decode
from costplane.pipeline import raise_for_retry, retry_reasons

if TYPE_CHECKING:
    from costplane.policy.service import PolicyRunner


@cache
def service() -> PolicyRunner:
    """Built on the first event and kept for the life of the instance, clients included."""
    return bootstrap.policy_runner(plane=os.environ.get("COSTPLANE_PLANE", "gcp"))


@functions_framework.cloud_event
def policy_runner(cloud_event: CloudEvent) -> None:
    """A CloudEvent, structured or binary mode: the framework reads both."""
    document = {**cloud_event.get_attributes(), "data": cloud_event.get_data()}
    raise_for_retry(service().handle_document(document))


@functions_framework.http
def policy_runner_push(request: flask.Request) -> flask.typing.ResponseReturnValue:
    """A Pub/Sub push delivery, its message data base64 JSON."""
    try:
        document = decode(request.get_data())
    except EventRejected as exc:
        return {"error": exc.code, "reason": exc.reason}, 400
    decisions = service().handle_document(document)
    failed = retry_reasons(decisions)
    body: dict[str, Any] = {
        "decisions": [d.model_dump(mode="json") for d in decisions],
        "failed": failed,
    }
    return body, 500 if failed else 200
