"""Policy runner on Lambda: every policy and budget threshold against each resource event, in
one function; AWS Budgets notifications (SNS) move the budgets those policies read.

Retries, idempotency and logging are every costplane Lambda's: see
costplane.adapters.aws.lambda_handlers. SNS invokes asynchronously: when sns_handler raises,
Lambda retries, then hands the notification to the function's on-failure destination.
costplane's core is imported when the service is built, after Powertools (see LambdaHandlers).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from costplane.adapters.aws.lambda_handlers import LambdaHandlers

if TYPE_CHECKING:
    from costplane.policy.service import PolicyRunner


def _build() -> PolicyRunner:
    from costplane import bootstrap

    return bootstrap.policy_runner(plane="aws")


handlers = LambdaHandlers("policy_runner", _build)
service = handlers.service
lambda_handler = handlers.lambda_handler
sqs_handler = handlers.sqs_handler
sns_handler = handlers.sns_handler
