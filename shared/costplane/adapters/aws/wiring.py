"""The AWS plane: boto3 ports, DynamoDB state, SNS notifications, CloudWatch EMF metrics.

Called by `costplane.bootstrap.cloud_runtime("aws", …)`. Its settings are read here rather than
in `costplane.config`, so that only the AWS plane requires its tables to be configured.
"""

from __future__ import annotations

import os

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from costplane.adapters.aws.enforcer import AwsEnforcer
from costplane.adapters.aws.inventory import AwsInventory
from costplane.adapters.aws.notify import SnsNotifier
from costplane.adapters.aws.state import DynamoDbStateStore
from costplane.adapters.local.plane import CounterMetrics, LogNotifier, SystemClock
from costplane.bootstrap import Runtime
from costplane.config import Settings
from costplane.domain.events import Provider
from costplane.ports import Metrics, Notifier, ProviderPorts


class AwsSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COSTPLANE_", extra="ignore")

    claims_table: str = Field(description="DynamoDB table of idempotency claims.")
    decisions_table: str = Field(description="DynamoDB table of the decisions audit log.")
    topic_arn: str | None = Field(None, description="SNS topic for notifications; logs if unset.")
    metrics_namespace: str = Field("costplane", description="CloudWatch metrics namespace.")
    emf_metrics: bool = Field(
        default_factory=lambda: "AWS_LAMBDA_FUNCTION_NAME" in os.environ,
        description="Count into Powertools EMF metrics (default: inside Lambda); else in memory.",
    )


def build_runtime(settings: Settings) -> Runtime:
    """The AWS runtime; `settings` (lake, taxonomy) hold nothing this plane needs."""
    aws = AwsSettings()
    clock = SystemClock()
    notifier: Notifier = SnsNotifier(aws.topic_arn) if aws.topic_arn else LogNotifier()
    metrics: Metrics = CounterMetrics()
    if aws.emf_metrics:
        from costplane.adapters.aws.metrics import EmfMetrics

        metrics = EmfMetrics(aws.metrics_namespace)
    return Runtime(
        ports={Provider.AWS: ProviderPorts(inventory=AwsInventory(), enforcer=AwsEnforcer())},
        state=DynamoDbStateStore(aws.claims_table, aws.decisions_table, clock=clock),
        notifier=notifier,
        metrics=metrics,
        clock=clock,
    )
