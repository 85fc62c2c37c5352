"""Cost ingest on Azure Functions: a blob trigger on the export container, and a timer that
rescans the configured exports for deliveries the lake does not hold yet.

The blob trigger hands over the blob's bytes, which are copied to the local file the lake
reads; a manifest's parts are downloaded over REST. A broken bill or manifest is final: it is
logged, nothing of it was committed, and the function returns, so the host does not retry.
Anything else raises: the host retries the blob five times, then moves it to the poison queue
(webjobs-blobtrigger-poison). A rescan ingests what it can and raises at the end if anything
failed. costplane.billing.ingest (pyarrow, pyiceberg) is imported on the first invocation, so
the other functions of the app do not pay for it at cold start.
"""

from __future__ import annotations

import logging
from functools import cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import azure.functions as func
import orjson

if TYPE_CHECKING:
    from costplane.billing.ingest import CostIngest, ObjectOutcome

logger = logging.getLogger("costplane.cost_ingest")

bp = func.Blueprint()  # type: ignore[no-untyped-call]  # its __init__ is unannotated


@cache
def service() -> CostIngest:
    """Built on the first invocation and kept for the life of the worker, catalog included."""
    from costplane import bootstrap

    return bootstrap.cost_ingest(plane="azure")


def _log(outcome: ObjectOutcome) -> None:
    level = logging.WARNING if outcome.status in ("rejected", "failed") else logging.INFO
    logger.log(
        level,
        "%s: %s %s",
        outcome.status,
        outcome.uri,
        orjson.dumps(outcome.model_dump(mode="json")).decode(),
    )


@bp.function_name("cost_ingest")
@bp.blob_trigger(
    arg_name="blob",
    path="%COSTPLANE_EXPORTS_CONTAINER%/{name}",
    connection="COSTPLANE_EXPORTS_STORAGE",
    source=func.BlobSource.EVENT_GRID,
)
def on_blob(blob: func.InputStream) -> None:
    """A blob created in the export container: `name` is container/path, `uri` its URL."""
    host = urlsplit(blob.uri or "").netloc
    _log(service().on_object(f"https://{host}/{blob.name}", content=blob))


@bp.function_name("cost_ingest_scan")
@bp.timer_trigger(arg_name="timer", schedule="%COSTPLANE_INGEST_SCHEDULE%")
def on_timer(timer: func.TimerRequest) -> None:
    report = service().rescan()
    for outcome in report.outcomes:
        _log(outcome)
    report.raise_for_failures()
