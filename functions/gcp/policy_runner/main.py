"""Policy runner on Cloud Run functions (functions-framework): every policy and budget
threshold against each resource event, and Cloud Billing budget notifications into the budgets
those policies read. Retries: costplane.adapters.gcp.functions.

    policy_runner       CloudEvents from Eventarc: audit logs (google.cloud.audit.log.v1.written)
                        and Pub/Sub messages (messagePublished) carrying budget notifications
    policy_runner_push  Pub/Sub push deliveries: a log sink's LogEntry or a budget notification
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import flask
import functions_framework
from cloudevents.http.event import CloudEvent

from costplane import bootstrap
from costplane.adapters.gcp.functions import on_cloud_event, on_push

if TYPE_CHECKING:
    from costplane.policy.service import PolicyRunner


@cache
def service() -> PolicyRunner:
    """Built on the first event and kept for the life of the instance, clients included."""
    return bootstrap.policy_runner(plane="gcp")


@functions_framework.cloud_event
def policy_runner(cloud_event: CloudEvent) -> None:
    """An Eventarc CloudEvent: an audit-log entry or a budget notification."""
    on_cloud_event(service, cloud_event)


@functions_framework.http
def policy_runner_push(request: flask.Request) -> flask.typing.ResponseReturnValue:
    """A Pub/Sub push delivery, its message data base64 JSON."""
    return on_push(service, request)
