"""Approvals on Azure Functions: Slack and Teams callbacks over HTTP, and the expiry sweep.

The routes are anonymous (no function key): Slack and the Bot Connector sign their own
requests, and the core verifies every request before reading it.
    POST /api/approvals/slack   Slack interactivity (and the Events API URL handshake)
    POST /api/approvals/teams   Bot Connector invokes from approval cards
The timer turns requests nobody answered into their configured default every five minutes.
"""

from __future__ import annotations

import logging
from functools import cache

import azure.functions as func

from costplane.approvals.callbacks import ApprovalCallbacks, HttpAnswer, summary
from costplane.bootstrap import approval_callbacks

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # its __init__ is unannotated
log = logging.getLogger("costplane.approvals")


@cache
def callbacks() -> ApprovalCallbacks:
    """Built on the first request and kept for the life of the worker, clients included."""
    return approval_callbacks(plane="azure")


@bp.function_name("approvals_slack")
@bp.route(route="approvals/slack", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
def slack(req: func.HttpRequest) -> func.HttpResponse:
    return _response(callbacks().slack(req.headers, req.get_body()))


@bp.function_name("approvals_teams")
@bp.route(route="approvals/teams", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
def teams(req: func.HttpRequest) -> func.HttpResponse:
    return _response(callbacks().teams(req.headers, req.get_body()))


@bp.function_name("approvals_expire")
@bp.timer_trigger(schedule="0 */5 * * * *", arg_name="timer")
def expire(timer: func.TimerRequest) -> None:
    expired = [summary(r) for r in callbacks().service.expire_pending()]
    log.info("expired %d approval requests: %s", len(expired), expired)


def _response(answer: HttpAnswer) -> func.HttpResponse:
    return func.HttpResponse(answer.body, status_code=answer.status, mimetype=answer.content_type)
