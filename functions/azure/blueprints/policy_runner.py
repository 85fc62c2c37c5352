"""Policy runner on Azure Functions: ARM events from Event Grid through every policy and budget
threshold, and Azure Monitor action-group webhooks carrying budget alerts (the common alert
schema and the legacy `AIP Budget Notification`) into the budgets those policies read.
Retries: costplane.adapters.azure.functions.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import azure.functions as func

from costplane import bootstrap
from costplane.adapters.azure.functions import answer_action_group, handle_event_grid

if TYPE_CHECKING:
    from costplane.policy.service import PolicyRunner

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # its __init__ is unannotated


@cache
def service() -> PolicyRunner:
    """Built on the first event and kept for the life of the worker, clients included."""
    return bootstrap.policy_runner(plane="azure")


@bp.function_name("policy_runner")
@bp.event_grid_trigger(arg_name="event")
def on_event_grid(event: func.EventGridEvent) -> None:
    handle_event_grid(service, event)


@bp.function_name("policy_runner_alerts")
@bp.route(route="policy_runner/alerts", methods=["POST"], auth_level=func.AuthLevel.FUNCTION)
def alerts(req: func.HttpRequest) -> func.HttpResponse:
    return answer_action_group(service, req)
