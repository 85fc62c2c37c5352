"""Idempotency claims on Azure Functions: Table storage has no TTL, so a timer deletes the
claims that expired and nobody took, every hour (an expired claim is free to take meanwhile)."""

from __future__ import annotations

from functools import cache

import azure.functions as func

from costplane.adapters.azure.functions import purge_claims
from costplane.adapters.state_records import ClaimSweep
from costplane.bootstrap import claim_sweep

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # its __init__ is unannotated


@cache
def sweep() -> ClaimSweep | None:
    """Built on the first run and kept for the life of the worker, clients included."""
    return claim_sweep(plane="azure")


@bp.function_name("claims_purge")
@bp.timer_trigger(schedule="0 17 * * * *", arg_name="timer")
def purge(timer: func.TimerRequest) -> None:
    purge_claims(sweep)
