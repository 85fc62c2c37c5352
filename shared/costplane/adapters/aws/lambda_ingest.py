"""The cost ingest Lambda's handler, on Powertools: bill export objects as S3 or EventBridge
announce them, and scheduled rescans that catch up on deliveries the lake does not hold yet.

A broken bill or manifest is final: it is logged and counted (objects_rejected, alarmed), never
retried, for the same bytes would fail again, and nothing of it was committed. Anything else
(S3 throttling, a manifest part not delivered yet, commit races lost again and again) raises:
Lambda retries the asynchronous invocation, then sends the event to the dead-letter queue. A
rescan ingests what it can and raises at the end if anything failed.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from costplane.adapters.aws.objects import created_objects
from costplane.billing.ingest import CostIngest, ObjectOutcome


class IngestHandler:
    """The handler of one cost ingest function, its service built once per process."""

    def __init__(self, build: Callable[[], CostIngest]) -> None:
        self.logger = Logger(service="cost_ingest")
        self.metrics = Metrics(namespace="costplane", service="cost_ingest")
        self.service: Callable[[], CostIngest] = cache(build)
        self.lambda_handler: Callable[[dict[str, Any], LambdaContext], dict[str, Any]] = (
            self.logger.inject_lambda_context(self.metrics.log_metrics(self._on_event))
        )

    def _on_event(self, event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        """S3 notifications, EventBridge `Object Created` events and scheduled rescans."""
        self.metrics.add_metric(name="events", unit=MetricUnit.Count, value=1)
        uris = created_objects(event)
        if uris is not None:
            return {"outcomes": [self._record(self.service().on_object(uri)) for uri in uris]}
        report = self.service().rescan()
        outcomes = [self._record(outcome) for outcome in report.outcomes]
        self.metrics.add_metric(
            name="deliveries_up_to_date", unit=MetricUnit.Count, value=report.up_to_date
        )
        report.raise_for_failures()
        return {"outcomes": outcomes, "up_to_date": report.up_to_date}

    def _record(self, outcome: ObjectOutcome) -> dict[str, Any]:
        """Log the outcome and count it, and the rows it brought."""
        summary = outcome.model_dump(mode="json")
        self.logger.info(f"{outcome.status}: {outcome.uri}", outcome=summary)
        self.metrics.add_metric(name=f"objects_{outcome.status}", unit=MetricUnit.Count, value=1)
        if outcome.report is not None:
            rows = outcome.report.rows
            self.metrics.add_metric(name="rows_ingested", unit=MetricUnit.Count, value=rows)
        return summary
