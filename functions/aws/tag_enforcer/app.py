"""Tag enforcer on Lambda: EventBridge events, directly or through an SQS queue with a DLQ.

Retries, idempotency and logging are every costplane Lambda's: see
costplane.adapters.aws.lambda_handlers. costplane's core is imported when the service is built,
after Powertools: see `LambdaHandlers` on why the order matters for cold starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from costplane.adapters.aws.lambda_handlers import LambdaHandlers

if TYPE_CHECKING:
    from costplane.tagging.service import TagEnforcer


def _build() -> TagEnforcer:
    from costplane import bootstrap

    return bootstrap.tag_enforcer(plane="aws")


handlers = LambdaHandlers("tag_enforcer", _build)
service = handlers.service
lambda_handler = handlers.lambda_handler
sqs_handler = handlers.sqs_handler
