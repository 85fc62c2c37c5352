"""Policy runner on Lambda: every policy and budget threshold against each resource event, in
one function; AWS Budgets notifications move the budgets those policies read.

    sqs_handler     EventBridge events through the queue; failed records are returned for retry
    lambda_handler  an EventBridge event delivered to the function directly (`sam local`)
    sns_handler     an AWS Budgets notification from SNS (plain text in Records[0].Sns.Message)

Retries and idempotency are the tag enforcer's. A failed action or a transient error fails the
delivery after the core released its claim, so the retry acts again; a payload the parsers
reject is final, audited and acknowledged. Powertools idempotency, keyed on the delivery
(EventBridge id, SQS messageId, SNS MessageId), answers a redelivery with the recorded result;
the core's claim catches one CloudTrail event arriving in two deliveries. SNS invokes
asynchronously: when sns_handler raises, Lambda retries, then hands the notification to the
function's on-failure destination.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import (
    BatchProcessor,
    EventType,
    process_partial_response,
)
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.typing import LambdaContext

from costplane import bootstrap
from costplane.adapters.aws.clients import client
from costplane.domain.decisions import Decision
from costplane.pipeline import raise_for_retry

if TYPE_CHECKING:
    from costplane.policy.service import PolicyRunner

logger = Logger(service="policy_runner")
metrics = Metrics(namespace="costplane", service="policy_runner")
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
# One DynamoDB client for Powertools and the core's state store: one model load, one pool.
dynamodb = client("dynamodb", None)
by_event_id = IdempotencyConfig(event_key_jmespath="id")
by_message_id = IdempotencyConfig(event_key_jmespath="messageId")
by_notification_id = IdempotencyConfig(event_key_jmespath="Records[0].Sns.MessageId")

Handler = Callable[..., list[dict[str, Any]]]


@cache
def service() -> PolicyRunner:
    """Built on the first event and kept for the life of the process: policies compiled once,
    clients warm."""
    return bootstrap.policy_runner(plane=os.environ.get("COSTPLANE_PLANE", "aws"))


def _idempotent(argument: str, config: IdempotencyConfig) -> Callable[[Handler], Handler]:
    """Powertools' idempotency decorator, typed, on the shared DynamoDB table. Each handler
    gets a persistence layer of its own: a layer keeps the key path of the first config it
    serves, so handlers keyed on different fields cannot share one."""
    persistence = DynamoDBPersistenceLayer(
        table_name=os.environ["COSTPLANE_IDEMPOTENCY_TABLE"], boto3_client=dynamodb
    )
    decorator: Callable[[Handler], Handler] = idempotent_function(
        data_keyword_argument=argument, persistence_store=persistence, config=config
    )
    return decorator


def _settle(decisions: list[Decision]) -> list[dict[str, Any]]:
    """Log every decision; raise when the delivery should be retried."""
    summaries = [decision.model_dump(mode="json") for decision in decisions]
    for summary in summaries:
        logger.info("decision", decision=summary)
    raise_for_retry(decisions)
    return summaries


@_idempotent("event", by_event_id)
def _handle_event(event: dict[str, Any]) -> list[dict[str, Any]]:
    return _settle(service().handle_document(event))


@_idempotent("record", by_message_id)
def _handle_record(record: dict[str, Any]) -> list[dict[str, Any]]:
    return _settle(service().handle_payload(record["body"]))


@_idempotent("event", by_notification_id)
def _handle_notification(event: dict[str, Any]) -> list[dict[str, Any]]:
    return _settle(service().handle_document(event))


def _on_record(record: SQSRecord) -> None:
    _handle_record(record=record.raw_event)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """An EventBridge event delivered to the function directly."""
    by_event_id.register_lambda_context(context)
    metrics.add_metric(name="deliveries", unit=MetricUnit.Count, value=1)
    return {"decisions": _handle_event(event=event)}


@logger.inject_lambda_context
@metrics.log_metrics
def sqs_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    """A batch of EventBridge events from the queue; failed records are returned for retry."""
    by_message_id.register_lambda_context(context)
    response = process_partial_response(
        event=event, record_handler=_on_record, processor=processor, context=context
    )
    failed = len(response["batchItemFailures"])
    metrics.add_metric(name="deliveries", unit=MetricUnit.Count, value=len(event["Records"]))
    metrics.add_metric(name="deliveries_failed", unit=MetricUnit.Count, value=failed)
    return response


@logger.inject_lambda_context
@metrics.log_metrics
def sns_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """An SNS delivery: the whole event goes to the runner, whose budget-signal parsers read
    an AWS Budgets notification in it (and reject, audited, anything else)."""
    by_notification_id.register_lambda_context(context)
    metrics.add_metric(name="notifications", unit=MetricUnit.Count, value=1)
    return {"decisions": _handle_notification(event=event)}
