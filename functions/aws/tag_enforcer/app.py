"""Tag enforcer on Lambda: EventBridge events, directly or through an SQS queue with a DLQ.

Retries, idempotency and logging are every costplane Lambda's: see
costplane.adapters.aws.lambda_handlers.
"""

from __future__ import annotations

import os

from costplane import bootstrap
from costplane.adapters.aws.lambda_handlers import LambdaHandlers
from costplane.tagging.service import TagEnforcer


def _build() -> TagEnforcer:
    return bootstrap.tag_enforcer(plane=os.environ.get("COSTPLANE_PLANE", "aws"))


handlers = LambdaHandlers("tag_enforcer", _build)
service = handlers.service
lambda_handler = handlers.lambda_handler
sqs_handler = handlers.sqs_handler
