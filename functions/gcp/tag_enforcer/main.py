"""Tag enforcer on Cloud Run functions (functions-framework): Eventarc audit-log CloudEvents, and
Pub/Sub push deliveries from a log sink. Retries: costplane.adapters.gcp.functions.
"""

from __future__ import annotations

from functools import cache

import flask
import functions_framework
from cloudevents.http.event import CloudEvent

from costplane import bootstrap
from costplane.adapters.gcp.functions import on_cloud_event, on_push
from costplane.tagging.service import TagEnforcer


@cache
def service() -> TagEnforcer:
    """Built on the first event and kept for the life of the instance, clients included."""
    return bootstrap.tag_enforcer(plane="gcp")


@functions_framework.cloud_event
def tag_enforcer(cloud_event: CloudEvent) -> None:
    """An Eventarc CloudEvent carrying an audit-log entry."""
    on_cloud_event(service, cloud_event)


@functions_framework.http
def tag_enforcer_push(request: flask.Request) -> flask.typing.ResponseReturnValue:
    """A Pub/Sub push delivery whose message data is a base64 LogEntry."""
    return on_push(service, request)
