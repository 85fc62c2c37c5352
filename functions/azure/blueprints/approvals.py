"""Approvals on Azure Functions: Slack and Teams callbacks and the resume route over HTTP
(approvals/slack, /teams, /resume), and the expiry sweep.

The route is anonymous (no function key): Slack, the Bot Connector and the resume signer sign
their own requests, and the core verifies every request before reading it. The timer turns
requests nobody answered into their configured default every five minutes.
"""

from __future__ import annotations

from functools import cache

import azure.functions as func

from costplane.adapters.azure.functions import answer_callback, expire_approvals
from costplane.approvals.callbacks import ApprovalCallbacks
from costplane.bootstrap import approval_callbacks

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # its __init__ is unannotated


@cache
def callbacks() -> ApprovalCallbacks:
    """Built on the first request and kept for the life of the worker, clients included."""
    return approval_callbacks(plane="azure")


@bp.function_name("approvals")
@bp.route(route="approvals/{route}", methods=["POST"], auth_level=func.AuthLevel.ANONYMOUS)
def callback(req: func.HttpRequest) -> func.HttpResponse:
    return answer_callback(callbacks().routes(), req)


@bp.function_name("approvals_expire")
@bp.timer_trigger(schedule="0 */5 * * * *", arg_name="timer")
def expire(timer: func.TimerRequest) -> None:
    expire_approvals(callbacks)
