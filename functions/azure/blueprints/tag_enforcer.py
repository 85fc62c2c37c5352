"""Tag enforcer on Azure Functions: an Event Grid trigger, and an HTTP webhook for Event Grid or
CloudEvents deliveries that answers both schemas' subscription handshakes. Retries:
costplane.adapters.azure.functions.
"""

from __future__ import annotations

from functools import cache

import azure.functions as func

from costplane.adapters.azure.functions import answer_event_grid, handle_event_grid
from costplane.bootstrap import tag_enforcer
from costplane.tagging.service import TagEnforcer

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # its __init__ is unannotated


@cache
def service() -> TagEnforcer:
    """Built on the first event and kept for the life of the worker, clients included."""
    return tag_enforcer(plane="azure")


@bp.function_name("tag_enforcer")
@bp.event_grid_trigger(arg_name="event")
def on_event_grid(event: func.EventGridEvent) -> None:
    handle_event_grid(service, event)


@bp.function_name("tag_enforcer_webhook")
@bp.route(route="tag_enforcer", methods=["POST", "OPTIONS"], auth_level=func.AuthLevel.FUNCTION)
def webhook(req: func.HttpRequest) -> func.HttpResponse:
    return answer_event_grid(service, req)
