"""Mark sweep on Azure Functions: a timer (COSTPLANE_SWEEP_SCHEDULE, every five minutes by
default) acts on the marks that came due. Reporting: costplane.adapters.azure.functions.
"""

from __future__ import annotations

from functools import cache

import azure.functions as func

from costplane import bootstrap
from costplane.adapters.azure.functions import sweep_marks
from costplane.tagging.sweep import MarkSweep

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # its __init__ is unannotated


@cache
def service() -> MarkSweep:
    """Built on the first tick and kept for the life of the worker, clients included."""
    return bootstrap.mark_sweep(plane="azure")


@bp.function_name("mark_sweep")
@bp.timer_trigger(arg_name="timer", schedule="%COSTPLANE_SWEEP_SCHEDULE%")
def on_timer(timer: func.TimerRequest) -> None:
    sweep_marks(service)
