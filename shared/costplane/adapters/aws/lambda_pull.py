"""The AI usage pull Lambda's handler, on Powertools: EventBridge Scheduler invokes it every
hour; one invocation lands every report it could fetch whole and returns what it did.

A report that failed (throttled past its budget, a page truncated or changed) landed nothing
and left the last good object in place; the next hour pulls it again, so the handler reports
it (log and metric `pull_failed`, which the template alarms on) and returns. Only an error
that stops the pull itself (the keys or the bucket unreachable) raises.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from costplane.billing.pull import PullSummary, UsagePull, summary


class PullHandler:
    """The handler of the AI usage pull function. Its service is built on every invocation,
    as that is when the admin keys are read from Secrets Manager: a rotated key is used at the
    next run, not at the next cold start (the HTTP and boto3 clients stay warm regardless)."""

    def __init__(self, build: Callable[[], UsagePull]) -> None:
        self.logger = Logger(service="ai_pull")
        self.metrics = Metrics(namespace="costplane", service="ai_pull")
        self.service: Callable[[], UsagePull] = build
        self.lambda_handler: Callable[[dict[str, Any], LambdaContext], PullSummary] = (
            self.logger.inject_lambda_context(self.metrics.log_metrics(self._on_schedule))
        )

    def _on_schedule(self, event: dict[str, Any], context: LambdaContext) -> PullSummary:
        outcomes = self.service().pull()
        for status in ("landed", "failed"):
            count = sum(1 for o in outcomes if o.status == status)
            self.metrics.add_metric(name=f"pull_{status}", unit=MetricUnit.Count, value=count)
        done = summary(outcomes)
        for uri, detail in done["failed"].items():
            self.logger.warning(f"pull: {uri}: {detail}")
        self.logger.info("pull", pull=done)
        return done
