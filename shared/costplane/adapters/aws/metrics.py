"""Metrics on CloudWatch through Powertools' embedded metric format (EMF).

Powertools keeps one metric set per process, shared by every `Metrics` instance: the Lambda
handler's `@metrics.log_metrics` flushes what the core counted here, one EMF line per call.
"""

from __future__ import annotations

from aws_lambda_powertools import Metrics
from aws_lambda_powertools.metrics import MetricUnit


class EmfMetrics:
    def __init__(self, namespace: str = "costplane") -> None:
        self.metrics = Metrics(namespace=namespace)

    def count(self, name: str, value: int = 1) -> None:
        self.metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
