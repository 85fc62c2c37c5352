"""Cost ingest on Lambda: bill export objects as S3 or EventBridge announce them, and a
scheduled rescan that catches up on deliveries the lake does not hold yet.

A broken bill or manifest is final: it is logged and counted (objects_rejected, alarmed), never
retried, for the same bytes would fail again, and nothing of it was committed. Anything else
(S3 throttling, a manifest part not delivered yet, commit races lost again and again) raises:
Lambda retries the asynchronous invocation, then sends the event to the dead-letter queue. A
rescan ingests what it can and raises at the end if anything failed.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from costplane import bootstrap
from costplane.adapters.aws.objects import created_objects
from costplane.billing.ingest import CostIngest, ObjectOutcome

logger = Logger(service="cost_ingest")
metrics = Metrics(namespace="costplane", service="cost_ingest")


@cache
def service() -> CostIngest:
    """Built on the first event and kept for the life of the process, catalog included."""
    return bootstrap.cost_ingest(plane="aws")


def _record(outcome: ObjectOutcome) -> dict[str, Any]:
    summary = outcome.model_dump(mode="json")
    logger.info(f"{outcome.status}: {outcome.uri}", outcome=summary)
    metrics.add_metric(name=f"objects_{outcome.status}", unit=MetricUnit.Count, value=1)
    if outcome.report is not None:
        metrics.add_metric(name="rows_ingested", unit=MetricUnit.Count, value=outcome.report.rows)
    return summary


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """S3 notifications, EventBridge `Object Created` events and scheduled rescans."""
    metrics.add_metric(name="events", unit=MetricUnit.Count, value=1)
    uris = created_objects(event)
    if uris is not None:
        return {"outcomes": [_record(service().on_object(uri)) for uri in uris]}
    report = service().rescan()
    outcomes = [_record(outcome) for outcome in report.outcomes]
    metrics.add_metric(name="deliveries_up_to_date", unit=MetricUnit.Count, value=report.up_to_date)
    report.raise_for_failures()
    return {"outcomes": outcomes, "up_to_date": report.up_to_date}
