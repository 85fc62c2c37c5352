"""What every costplane Cloud Run function shares: a CloudEvent or a Pub/Sub push delivery
through an event service, with the retry contract of the other clouds.

A delivery whose action failed (or hit a transient error) raises, or answers 500, so Eventarc
or Pub/Sub delivers again after the core released its claim; a payload the parsers reject is
final and acknowledged; a push body that is not JSON did not come from Pub/Sub: 400.
"""

from __future__ import annotations

from typing import Any

import flask
from cloudevents.http.event import CloudEvent

from costplane.domain.errors import EventRejected
from costplane.engine.envelopes import decode
from costplane.engine.pipeline import EventService, raise_for_retry, retry_reasons


def on_cloud_event(service: EventService, cloud_event: CloudEvent) -> None:
    """A CloudEvent, structured or binary mode: the framework reads both."""
    document = {**cloud_event.get_attributes(), "data": cloud_event.get_data()}
    raise_for_retry(service.handle_document(document))


def on_push(service: EventService, request: flask.Request) -> tuple[dict[str, Any], int]:
    """A Pub/Sub push delivery whose message data is base64 JSON."""
    try:
        document = decode(request.get_data())
    except EventRejected as exc:
        return {"error": exc.code, "reason": exc.reason}, 400
    decisions = service.handle_document(document)
    failed = retry_reasons(decisions)
    body = {"decisions": [d.model_dump(mode="json") for d in decisions], "failed": failed}
    return body, 500 if failed else 200
