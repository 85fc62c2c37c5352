"""What every costplane Cloud Run function shares: CloudEvents, Pub/Sub push deliveries,
export objects and approval callbacks through the core, with the retry contract of the other
clouds.

Events: a delivery whose action failed (or hit a transient error) raises, or answers 500, so
Eventarc or Pub/Sub delivers again after the core released its claim; a payload the parsers
reject is final and acknowledged; a push body that is not JSON did not come from Pub/Sub: 400.

Bills: a broken bill or manifest is final: it is logged, nothing of it was committed, and the
function returns, so Eventarc does not deliver it again. Anything else raises (the CloudEvent
function) or answers 500 (the rescan), so Eventarc or Cloud Scheduler retries. The bill side
and approvals are imported by the functions that build them, not here: the event functions do
not ship them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import flask
import orjson
from cloudevents.http.event import CloudEvent

from costplane.adapters.webhooks import answer_delivery
from costplane.engine.pipeline import EventService, raise_for_retry
from costplane.tagging.sweep import summary

if TYPE_CHECKING:
    from costplane.approvals.callbacks import ApprovalCallbacks, Callback
    from costplane.billing.ingest import CostIngest, ObjectOutcome
    from costplane.billing.pull import UsagePull
    from costplane.tagging.sweep import MarkSweep

pull_log = logging.getLogger("costplane.ai_pull")

RETRY_PUSH = 500
"""Pub/Sub redelivers a push that was not answered 102, 200, 201, 202 or 204."""


def on_cloud_event(service: Callable[[], EventService], cloud_event: CloudEvent) -> None:
    """A CloudEvent, structured or binary mode: the framework reads both."""
    document = {**cloud_event.get_attributes(), "data": cloud_event.get_data()}
    raise_for_retry(service().handle_document(document))


def on_push(
    service: Callable[[], EventService], request: flask.Request
) -> tuple[dict[str, Any], int]:
    """A Pub/Sub push delivery whose message data is base64 JSON."""
    status, body = answer_delivery(service, request.get_data(), RETRY_PUSH)
    return body, status


def on_finalized(service: Callable[[], CostIngest], cloud_event: CloudEvent) -> None:
    """A finalized object: its StorageObjectData names the bucket and the object."""
    data = cloud_event.get_data() or {}
    _logged(service().on_object(f"gs://{data.get('bucket', '')}/{data.get('name', '')}"))


def on_rescan(service: Callable[[], CostIngest]) -> tuple[dict[str, Any], int]:
    """Every delivery the lake does not hold yet; 500 when one failed, for Scheduler to retry."""
    report = service().rescan()
    outcomes = [_logged(outcome) for outcome in report.outcomes]
    failed = any(o.status == "failed" for o in report.outcomes)
    return {"outcomes": outcomes, "up_to_date": report.up_to_date}, 500 if failed else 200


def on_sweep(service: Callable[[], MarkSweep]) -> dict[str, Any]:
    """One Cloud Scheduler call of the mark sweep: 200 with what it did; a failed operation is
    retried by the next sweep (its claim was given back), so it is reported, not retried now."""
    return summary(service().sweep())


def on_ai_pull(service: Callable[[], UsagePull]) -> dict[str, Any]:
    """One Cloud Scheduler call of the AI usage pull: 200 with what it did; a report that
    failed landed nothing and is pulled again next hour, so it is reported, not retried now."""
    from costplane.billing.pull import logged

    return dict(logged(service().pull(), pull_log))


def on_approval_callback(
    routes: Mapping[str, Callback], request: flask.Request
) -> flask.typing.ResponseReturnValue:
    """A POST to <url>/<route>; the core verifies the sender's own signature."""
    route = routes.get(request.path.rstrip("/").rpartition("/")[2])
    if route is None or request.method != "POST":
        reason = f"POST to {' or '.join(f'/{name}' for name in routes)}"
        return {"error": "not_found", "reason": reason}, 404
    answer = route(request.headers, request.get_data())
    return flask.Response(answer.body, status=answer.status, content_type=answer.content_type)


def on_expire(callbacks: Callable[[], ApprovalCallbacks]) -> dict[str, Any]:
    """Requests nobody answered take their configured default."""
    return {"expired": callbacks().expire()}


def _logged(outcome: ObjectOutcome) -> dict[str, object]:
    """One structured log line per outcome: Cloud Logging reads `severity` and `message`."""
    summary = outcome.model_dump(mode="json")
    severity = "WARNING" if outcome.status in ("rejected", "failed") else "INFO"
    message = f"{outcome.status}: {outcome.uri}"
    print(orjson.dumps({"severity": severity, "message": message, "outcome": summary}).decode())
    return summary
