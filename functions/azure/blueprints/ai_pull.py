"""AI usage pull on Azure Functions: a timer (COSTPLANE_AI_PULL_SCHEDULE, hourly by default)
lands the OpenAI and Anthropic usage and cost reports in the bill container for cost ingest
(costplane.billing.pull). Reporting: costplane.adapters.azure.functions."""

from __future__ import annotations

from functools import cache

import azure.functions as func

from costplane import bootstrap
from costplane.adapters.azure.functions import pull_ai_usage
from costplane.billing.pull import UsagePull

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # its __init__ is unannotated


@cache
def service() -> UsagePull:
    """Built on the first tick and kept for the life of the worker, clients included."""
    return bootstrap.ai_pull(plane="azure")


@bp.function_name("ai_pull")
@bp.timer_trigger(arg_name="timer", schedule="%COSTPLANE_AI_PULL_SCHEDULE%")
def on_timer(timer: func.TimerRequest) -> None:
    pull_ai_usage(service)
