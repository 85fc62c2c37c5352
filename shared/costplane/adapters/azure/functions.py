"""What every costplane Azure Function shares: Event Grid events and webhooks, action-group
webhooks, export blobs and approval callbacks through the core, answered as the host expects.

Events: when an action failed, the Event Grid trigger raises and the Event Grid webhook answers
500, so Event Grid delivers again (the core released its claim). Action groups retry a webhook
only on 408, 429, 503 and 504, so an alert worth retrying (an action failed, or the runner
raised) is answered 503: the 500 the host answers for an exception would lose it. A payload the
parsers reject is final, audited and acknowledged; a body that is not JSON is the sender's
error: 400.

Bills: the blob trigger hands over the blob's bytes, which are copied to the local file the lake
reads; a manifest's parts are downloaded over REST. A broken bill or manifest is final: it is
logged, nothing of it was committed, and the function returns, so the host does not retry.
Anything else raises: the host retries the blob five times, then moves it to the poison queue
(webjobs-blobtrigger-poison). A rescan ingests what it can and raises at the end if anything
failed. The bill side (pyarrow, pyiceberg) is imported by the blueprint that builds it, on its
first invocation, so the app's other functions do not pay for it at cold start.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import azure.functions as func
import orjson

from costplane.adapters.azure.events import cloudevents_options_headers, validation_response
from costplane.adapters.webhooks import answer_delivery
from costplane.engine.pipeline import EventService, raise_for_retry
from costplane.tagging.sweep import summary

if TYPE_CHECKING:
    from costplane.adapters.state_records import ClaimSweep
    from costplane.approvals.callbacks import ApprovalCallbacks, Callback
    from costplane.billing.ingest import CostIngest, ObjectOutcome
    from costplane.billing.pull import PullSummary, UsagePull
    from costplane.tagging.sweep import MarkSweep

RETRY_EVENT_GRID = 500
RETRY_ACTION_GROUP = 503
EVENT_GRID_ORIGINS = ("eventgrid.azure.net",)

ingest_log = logging.getLogger("costplane.cost_ingest")
approvals_log = logging.getLogger("costplane.approvals")
claims_log = logging.getLogger("costplane.claims")
sweep_log = logging.getLogger("costplane.mark_sweep")
pull_log = logging.getLogger("costplane.ai_pull")


def _event_grid_document(event: func.EventGridEvent) -> dict[str, Any]:
    """The trigger binding's event, back in the Event Grid schema it was delivered in."""
    return {
        "id": event.id,
        "topic": event.topic,
        "subject": event.subject,
        "eventType": event.event_type,
        "eventTime": event.event_time.isoformat() if event.event_time else None,
        "data": event.get_json(),
        "dataVersion": event.data_version,
    }


def _json_response(status: int, body: Any) -> func.HttpResponse:
    return func.HttpResponse(orjson.dumps(body), status_code=status, mimetype="application/json")


def handle_event_grid(service: Callable[[], EventService], event: func.EventGridEvent) -> None:
    """One Event Grid event, as the trigger binding delivers it."""
    raise_for_retry(service().handle_document([_event_grid_document(event)]))


def answer_event_grid(
    service: Callable[[], EventService], req: func.HttpRequest
) -> func.HttpResponse:
    """Event Grid (array) or CloudEvents deliveries, both schemas' handshakes answered."""
    if req.method == "OPTIONS":
        return _abuse_protection(req)
    body = req.get_body()
    return _json_response(*answer_delivery(service, body, RETRY_EVENT_GRID, validation_response))


def answer_action_group(
    service: Callable[[], EventService], req: func.HttpRequest
) -> func.HttpResponse:
    """An action group's webhook: a budget alert in the common or the legacy schema."""
    return _json_response(*answer_delivery(service, req.get_body(), RETRY_ACTION_GROUP))


def ingest_blob(service: Callable[[], CostIngest], blob: func.InputStream) -> None:
    """A blob created in the export container: `name` is container/path, `uri` its URL."""
    host = urlsplit(blob.uri or "").netloc
    _log(service().on_object(f"https://{host}/{blob.name}", content=blob))


def ingest_rescan(service: Callable[[], CostIngest]) -> None:
    """Every delivery the lake does not hold yet; raises at the end if one failed."""
    report = service().rescan()
    for outcome in report.outcomes:
        _log(outcome)
    report.raise_for_failures()


def sweep_marks(service: Callable[[], MarkSweep]) -> dict[str, Any]:
    """One timer tick of the mark sweep; a failed operation is retried by the next tick, so it
    is logged, not raised (a raise would only make the host run the same sweep again)."""
    report = service().sweep()
    for failure in report.failures():
        sweep_log.warning("sweep: %s", failure)
    done = summary(report)
    sweep_log.info("sweep: %s", orjson.dumps(done).decode())
    return done


def pull_ai_usage(service: Callable[[], UsagePull]) -> PullSummary:
    """One timer tick of the AI usage pull; a report that failed landed nothing and is pulled
    again by the next tick, so it is logged, not raised."""
    from costplane.billing.pull import logged

    return logged(service().pull(), pull_log)


def answer_callback(routes: Mapping[str, Callback], req: func.HttpRequest) -> func.HttpResponse:
    """A POST to approvals/<route>; the core verifies the sender's own signature."""
    callback = routes.get(req.route_params.get("route", ""))
    if callback is None:
        reason = f"POST to {' or '.join(f'approvals/{name}' for name in routes)}"
        return _json_response(404, {"error": "not_found", "reason": reason})
    answer = callback(req.headers, req.get_body())
    return func.HttpResponse(answer.body, status_code=answer.status, mimetype=answer.content_type)


def expire_approvals(callbacks: Callable[[], ApprovalCallbacks]) -> None:
    """Requests nobody answered take their configured default."""
    expired = callbacks().expire()
    approvals_log.info("expired %d approval requests: %s", len(expired), expired)


def purge_claims(sweep: Callable[[], ClaimSweep | None]) -> None:
    """Claims that expired and nobody took, deleted (Table storage has no TTL)."""
    built = sweep()
    if built is None:
        claims_log.info("no claims table configured: nothing to purge")
        return
    claims_log.info("purged %d expired claims", built.purge())


def _abuse_protection(req: func.HttpRequest) -> func.HttpResponse:
    """CloudEvents webhook validation: grant Event Grid's origin, refuse any other."""
    if not req.headers.get("WebHook-Request-Origin"):
        reason = "the OPTIONS handshake needs a WebHook-Request-Origin header"
        return _json_response(400, {"error": "missing_origin", "reason": reason})
    granted = cloudevents_options_headers(req.headers, EVENT_GRID_ORIGINS)
    if not granted:
        reason = f"only {', '.join(EVENT_GRID_ORIGINS)} may deliver to this webhook"
        return _json_response(403, {"error": "origin_not_allowed", "reason": reason})
    return func.HttpResponse(status_code=200, headers=granted)


def _log(outcome: ObjectOutcome) -> None:
    level = logging.WARNING if outcome.status in ("rejected", "failed") else logging.INFO
    summary = orjson.dumps(outcome.model_dump(mode="json")).decode()
    ingest_log.log(level, "%s: %s %s", outcome.status, outcome.uri, summary)
