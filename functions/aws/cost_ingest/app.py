"""Cost ingest on Lambda: bill export objects as S3 or EventBridge announce them, and a
scheduled rescan. Retries: costplane.adapters.aws.lambda_ingest.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from costplane import bootstrap
from costplane.adapters.aws.lambda_ingest import IngestHandler

handler = IngestHandler(lambda: bootstrap.cost_ingest(plane="aws"))
service = handler.service


def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """S3 notifications, EventBridge `Object Created` events and scheduled rescans."""
    return handler.lambda_handler(event, context)
