"""The Lambda handlers every costplane event service shares, on Powertools.

    lambda_handler  an EventBridge event delivered to the function directly
    sqs_handler     EventBridge events through a queue; failed records are returned for retry
    sns_handler     an SNS delivery (AWS Budgets notifications arrive this way)

Retries: a delivery fails (the handler raises, or its record is listed in `batchItemFailures`)
when the service raised or `raise_for_retry` says a retry can help; the core has then released
its claim, so the redelivery acts again, and after the queue's maxReceiveCount the message
moves to the DLQ. A payload the parsers reject is final: audited, acknowledged, never retried.

Idempotency has two layers. Powertools idempotency on DynamoDB, keyed on the delivery
(EventBridge id, SQS messageId, SNS MessageId), answers a redelivered message with the recorded
result without running the core; each key path has a persistence layer of its own, because a
layer keeps the key path of the first config it serves. The core's claim, a conditional write
keyed on provider event and resource, catches one CloudTrail event arriving in two messages.

Import order is part of the cold start: Powertools' batch utility loads its pydantic models of
every AWS event source (~70 ms) when, and only when, pydantic is already imported. So this
module imports Powertools before any costplane module, and a function imports this module
before costplane's core (a test holds every event function to it).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any, Generic, TypeVar

import orjson
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
from costplane.domain.decisions import Decision, bounded
from costplane.engine.admission import within_depth
from costplane.engine.pipeline import EventService, raise_for_retry

S = TypeVar("S", bound=EventService)
MAX_RESPONSE_BYTES = 300_000
"""Powertools keeps a handler's answer in one DynamoDB item (400 KB with its key and hash)."""
Handle = Callable[[dict[str, Any]], list[dict[str, Any]]]


def _idempotency_table() -> str:
    from costplane.config import AwsSettings

    table = AwsSettings().idempotency_table
    if table is None:
        raise ValueError("COSTPLANE_IDEMPOTENCY_TABLE is required by costplane's Lambda handlers")
    return table


def response_of(decisions: list[Decision], summaries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The decisions whole when they fit MAX_RESPONSE_BYTES, else one line each (id, outcome,
    resource): the audit log holds the rest, so the idempotency record can always be written."""
    if len(orjson.dumps(summaries)) <= MAX_RESPONSE_BYTES:
        return summaries
    return [
        {
            "decision_id": d.decision_id,
            "outcome": d.outcome.value,
            "resource_id": d.resource_id and d.resource_id[:256],
            "summarised": True,
        }
        for d in decisions
    ]


class LambdaHandlers(Generic[S]):
    """Handlers for one service, built once per process, its clients kept warm."""

    def __init__(self, name: str, build: Callable[[], S]) -> None:
        self.logger = Logger(service=name)
        self.metrics = Metrics(namespace="costplane", service=name)
        # A batch whose every record failed is answered like any other, listing them all.
        self.processor = BatchProcessor(
            event_type=EventType.SQS, raise_on_entire_batch_failure=False
        )
        self.service: Callable[[], S] = cache(build)
        self._idempotency_table = _idempotency_table()
        # One DynamoDB client for Powertools and the core's state store: one model load.
        self._dynamodb = client("dynamodb", None)
        self.name = name
        self._by_event_id, self._event = self._idempotent("event", "id", self._document)
        self._by_message_id, self._record = self._idempotent("record", "messageId", self._body)
        self._by_sns_id, self._notification = self._idempotent(
            "event", "Records[0].Sns.MessageId", self._document
        )
        self.lambda_handler = self._observed(self._on_event)
        self.sqs_handler = self._observed(self._on_batch)
        self.sns_handler = self._observed(self._on_notification)

    def _idempotent(
        self, argument: str, key_path: str, handle: Handle
    ) -> tuple[IdempotencyConfig, Callable[..., list[dict[str, Any]]]]:
        config = IdempotencyConfig(event_key_jmespath=key_path)
        persistence = DynamoDBPersistenceLayer(
            table_name=self._idempotency_table, boto3_client=self._dynamodb
        )
        decorate = idempotent_function(
            data_keyword_argument=argument,
            persistence_store=persistence,
            config=config,
            key_prefix=f"{self.name}.{key_path}",
        )
        wrapped: Callable[..., list[dict[str, Any]]] = decorate(
            lambda **kwargs: handle(kwargs[argument])
        )
        return config, wrapped

    def _observed(self, handler: Callable[..., Any]) -> Callable[..., Any]:
        wrapped: Callable[..., Any] = self.logger.inject_lambda_context(
            self.metrics.log_metrics(handler)
        )
        return wrapped

    def _settle(self, decisions: list[Decision]) -> list[dict[str, Any]]:
        """Log every decision; raise when the delivery should be retried. The answer is what
        Powertools records after the actions ran, so it always fits its item."""
        summaries = [bounded(decision).model_dump(mode="json") for decision in decisions]
        for summary in summaries:
            self.logger.info("decision", decision=summary)
        raise_for_retry(decisions)
        return response_of(decisions, summaries)

    def _document(self, document: dict[str, Any]) -> list[dict[str, Any]]:
        return self._settle(self.service().handle_document(document))

    def _body(self, record: dict[str, Any]) -> list[dict[str, Any]]:
        return self._settle(self.service().handle_payload(record["body"]))

    def _on_event(self, event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        self._by_event_id.register_lambda_context(context)
        self.metrics.add_metric(name="deliveries", unit=MetricUnit.Count, value=1)
        return {"decisions": self._once(self._event, event)}

    def _once(self, idempotent: Callable[..., list[dict[str, Any]]], event: Any) -> Any:
        """`idempotent(event=event)`; an event too deep for Powertools' deep copy of it is
        rejected by the core without it (a rejection acts on nothing, so it may repeat)."""
        if not within_depth(event):
            return self._document(event)
        return idempotent(event=event)

    def _on_record(self, record: SQSRecord) -> None:
        self._record(record=record.raw_event)

    def _on_batch(
        self, event: dict[str, Any], context: LambdaContext
    ) -> PartialItemFailureResponse:
        self._by_message_id.register_lambda_context(context)
        response = process_partial_response(
            event=event, record_handler=self._on_record, processor=self.processor, context=context
        )
        failed = len(response["batchItemFailures"])
        count = len(event["Records"])
        self.metrics.add_metric(name="deliveries", unit=MetricUnit.Count, value=count)
        self.metrics.add_metric(name="deliveries_failed", unit=MetricUnit.Count, value=failed)
        return response

    def _on_notification(self, event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        self._by_sns_id.register_lambda_context(context)
        self.metrics.add_metric(name="notifications", unit=MetricUnit.Count, value=1)
        return {"decisions": self._once(self._notification, event)}
