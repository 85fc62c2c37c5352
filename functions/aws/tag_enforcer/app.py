"""Tag enforcer on Lambda: EventBridge events, directly or through an SQS queue with a DLQ.

Retries: a delivery fails (the handler raises, or its SQS record is listed in
`batchItemFailures`) when the service raised or an action failed; the core has then released its
claim, so the redelivery acts again, and after the queue's maxReceiveCount the message moves to
the DLQ. A payload the parsers reject (malformed JSON, an unknown event) is final: the same bytes
would be rejected again, so it is acknowledged, logged and counted, never retried.

Idempotency has two layers. Powertools idempotency on DynamoDB, keyed on the delivery (SQS
messageId, EventBridge event id), answers a redelivered message with the recorded result without
running the core. The core's claim, a conditional write keyed on provider event and resource,
catches the same CloudTrail event arriving as two different messages.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from functools import cache
from typing import Any

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

from costplane.adapters.aws.clients import client
from costplane.bootstrap import tag_enforcer
from costplane.domain.decisions import Decision
from costplane.pipeline import raise_for_retry
from costplane.tagging.service import TagEnforcer

logger = Logger(service="tag_enforcer")
metrics = Metrics(namespace="costplane", service="tag_enforcer")
# A batch whose every record failed is answered like any other, listing them all, not raised.
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)
# One DynamoDB client for Powertools and the core's state store: one model load, one pool.
persistence = DynamoDBPersistenceLayer(
    table_name=os.environ["COSTPLANE_IDEMPOTENCY_TABLE"], boto3_client=client("dynamodb", None)
)
by_event_id = IdempotencyConfig(event_key_jmespath="id")
by_message_id = IdempotencyConfig(event_key_jmespath="messageId")


Handler = Callable[..., list[dict[str, Any]]]


@cache
def service() -> TagEnforcer:
    """Built on the first event and kept for the life of the process, clients included."""
    return tag_enforcer(plane=os.environ.get("COSTPLANE_PLANE", "aws"))


def _idempotent(argument: str, config: IdempotencyConfig) -> Callable[[Handler], Handler]:
    """Powertools' idempotency decorator, typed, on the shared DynamoDB table."""
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


def _on_record(record: SQSRecord) -> None:
    _handle_record(record=record.raw_event)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """An EventBridge event delivered to the function directly (rule target, `sam local`)."""
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
