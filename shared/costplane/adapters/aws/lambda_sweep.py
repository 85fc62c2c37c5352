"""The mark sweep Lambda's handler, on Powertools: EventBridge Scheduler invokes it every few
minutes; one invocation sweeps until its time budget and returns what it did.

A failed operation is not the invocation's failure: its claim was given back and the next
sweep retries it, so the handler reports it (log and metric `sweep_failed`) and returns. Only
an error that stops the sweep itself (the index or the state store unreachable) raises.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.typing import LambdaContext

from costplane.tagging.sweep import MarkSweep, SweepReport, summary


class SweepHandler:
    """The handler of the mark sweep function, its service built once per process."""

    def __init__(self, build: Callable[[], MarkSweep]) -> None:
        self.logger = Logger(service="mark_sweep")
        self.metrics = Metrics(namespace="costplane", service="mark_sweep")
        self.service: Callable[[], MarkSweep] = cache(build)
        self.lambda_handler: Callable[[dict[str, Any], LambdaContext], dict[str, Any]] = (
            self.logger.inject_lambda_context(self.metrics.log_metrics(self._on_schedule))
        )

    def _on_schedule(self, event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        report = self.service().sweep()
        self._record(report)
        return summary(report)

    def _record(self, report: SweepReport) -> None:
        for outcome, count in report.outcomes.items():
            self.metrics.add_metric(name=f"sweep_{outcome}", unit=MetricUnit.Count, value=count)
        for failure in report.failures():
            self.logger.warning(f"sweep: {failure}")
        self.logger.info("sweep", sweep=summary(report))
