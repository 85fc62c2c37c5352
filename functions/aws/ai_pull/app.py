"""AI usage pull on Lambda: EventBridge Scheduler invokes it every hour; it lands the OpenAI and
Anthropic usage and cost reports in the bill bucket for cost ingest (costplane.billing.pull).
Reporting: costplane.adapters.aws.lambda_pull."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from costplane import bootstrap
from costplane.adapters.aws.lambda_pull import PullHandler
from costplane.billing.pull import PullSummary

handler = PullHandler(lambda: bootstrap.ai_pull(plane="aws"))
service = handler.service


def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PullSummary:
    """A scheduled invocation: every report due, each landed whole or not at all."""
    return handler.lambda_handler(event, context)
