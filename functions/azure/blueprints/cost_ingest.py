"""Cost ingest on Azure Functions: a blob trigger on the export container, and a timer that
rescans the exports. Retries, and why the bill side waits for the first invocation:
costplane.adapters.azure.functions.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import azure.functions as func

from costplane.adapters.azure.functions import ingest_blob, ingest_rescan

if TYPE_CHECKING:
    from costplane.billing.ingest import CostIngest

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # its __init__ is unannotated


@cache
def service() -> CostIngest:
    """Built on the first invocation and kept for the life of the worker, catalog included."""
    from costplane import bootstrap

    return bootstrap.cost_ingest(plane="azure")


@bp.function_name("cost_ingest")
@bp.blob_trigger(
    arg_name="blob",
    path="%COSTPLANE_EXPORTS_CONTAINER%/{name}",
    connection="COSTPLANE_EXPORTS_STORAGE",
    source=func.BlobSource.EVENT_GRID,
)
def on_blob(blob: func.InputStream) -> None:
    ingest_blob(service, blob)


@bp.function_name("cost_ingest_scan")
@bp.timer_trigger(arg_name="timer", schedule="%COSTPLANE_INGEST_SCHEDULE%")
def on_timer(timer: func.TimerRequest) -> None:
    ingest_rescan(service)
