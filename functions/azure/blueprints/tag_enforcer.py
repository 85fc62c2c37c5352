"""Tag enforcer on Azure Functions: an Event Grid trigger, and an HTTP webhook for Event Grid or
CloudEvents deliveries that answers both schemas' subscription handshakes.

Retries follow Event Grid's rules: when an action failed, the trigger raises and the webhook
answers 500, so Event Grid delivers again (the core released its claim); a payload the parsers
reject is final and acknowledged. Malformed JSON on the webhook is the sender's error: 400.
"""

from __future__ import annotations

from functools import cache

import azure.functions as func

from costplane.adapters.azure.events import cloudevents_options_headers, validation_response
from costplane.adapters.azure.functions import event_grid_document, json_response
from costplane.bootstrap import tag_enforcer
from costplane.domain.errors import EventRejected
from costplane.engine.envelopes import decode
from costplane.engine.pipeline import raise_for_retry, retry_reasons
from costplane.tagging.service import TagEnforcer

EVENT_GRID_ORIGINS = ("eventgrid.azure.net",)

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # its __init__ is unannotated


@cache
def service() -> TagEnforcer:
    """Built on the first event and kept for the life of the worker, clients included."""
    return tag_enforcer(plane="azure")


@bp.function_name("tag_enforcer")
@bp.event_grid_trigger(arg_name="event")
def on_event_grid(event: func.EventGridEvent) -> None:
    """One Event Grid event, as the trigger binding delivers it."""
    raise_for_retry(service().handle_document([event_grid_document(event)]))


@bp.function_name("tag_enforcer_webhook")
@bp.route(route="tag_enforcer", methods=["POST", "OPTIONS"], auth_level=func.AuthLevel.FUNCTION)
def webhook(req: func.HttpRequest) -> func.HttpResponse:
    """Event Grid (array) or CloudEvents deliveries, handshakes included."""
    if req.method == "OPTIONS":
        return _abuse_protection(req)
    try:
        document = decode(req.get_body())
    except EventRejected as exc:
        return json_response(400, {"error": exc.code, "reason": exc.reason})
    if (answer := validation_response(document)) is not None:
        return json_response(200, answer)
    decisions = service().handle_document(document)
    failed = retry_reasons(decisions)
    body = {"decisions": [d.model_dump(mode="json") for d in decisions], "failed": failed}
    return json_response(500 if failed else 200, body)


def _abuse_protection(req: func.HttpRequest) -> func.HttpResponse:
    """CloudEvents webhook validation: grant Event Grid's origin, refuse any other."""
    if not req.headers.get("WebHook-Request-Origin"):
        reason = "the OPTIONS handshake needs a WebHook-Request-Origin header"
        return json_response(400, {"error": "missing_origin", "reason": reason})
    granted = cloudevents_options_headers(req.headers, EVENT_GRID_ORIGINS)
    if not granted:
        reason = f"only {', '.join(EVENT_GRID_ORIGINS)} may deliver to this webhook"
        return json_response(403, {"error": "origin_not_allowed", "reason": reason})
    return func.HttpResponse(status_code=200, headers=granted)
