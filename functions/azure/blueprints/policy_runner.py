"""Policy runner on Azure Functions: ARM events from Event Grid through every policy and budget
threshold, and Azure Monitor action-group webhooks carrying budget alerts (the common alert
schema and the legacy `AIP Budget Notification`) into the budgets those policies read.

Retries: when an action failed, the Event Grid trigger raises, so Event Grid delivers again
(the core released its claim). Action groups retry a webhook only on 408, 429, 503 and 504, so
an alert worth retrying (an action failed, or the runner raised) is answered 503: the 500 the
host answers for an exception would lose it. A payload the parsers reject is final, audited
and acknowledged; a body that is not JSON is the sender's error: 400.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import TYPE_CHECKING

import azure.functions as func

from costplane import bootstrap
from costplane.adapters.azure.functions import event_grid_document, json_response
from costplane.domain.errors import EventRejected
from costplane.engine.envelopes import decode
from costplane.engine.pipeline import raise_for_retry, retry_reasons

if TYPE_CHECKING:
    from costplane.policy.service import PolicyRunner

RETRY_ACTION_GROUP = 503

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # its __init__ is unannotated
log = logging.getLogger("costplane.policy_runner")


@cache
def service() -> PolicyRunner:
    """Built on the first event and kept for the life of the worker, clients included."""
    return bootstrap.policy_runner(plane="azure")


@bp.function_name("policy_runner")
@bp.event_grid_trigger(arg_name="event")
def on_event_grid(event: func.EventGridEvent) -> None:
    """One Event Grid event, as the trigger binding delivers it."""
    raise_for_retry(service().handle_document([event_grid_document(event)]))


@bp.function_name("policy_runner_alerts")
@bp.route(route="policy_runner/alerts", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
def alerts(req: func.HttpRequest) -> func.HttpResponse:
    """An action group's webhook: a budget alert in either schema."""
    try:
        document = decode(req.get_body())
    except EventRejected as exc:
        return json_response(400, {"error": exc.code, "reason": exc.reason})
    try:
        decisions = service().handle_document(document)
    except Exception as exc:
        log.exception("budget alert not taken; the action group will deliver it again")
        return json_response(RETRY_ACTION_GROUP, {"error": "unavailable", "reason": repr(exc)})
    failed = retry_reasons(decisions)
    body = {"decisions": [d.model_dump(mode="json") for d in decisions], "failed": failed}
    return json_response(RETRY_ACTION_GROUP if failed else 200, body)
