"""AWS Config configuration-item change notifications -> ResourceEvents: the AWS catch-all.

AWS Config records a configuration item, with the resource's tags, for every change to
hundreds of resource types, and notifies through EventBridge (`aws.config`, 'Config
Configuration Item Change') and through its SNS topic (a Lambda `Records[].Sns` batch, or the
notification itself as an HTTPS subscription receives it). Prerequisite: a configuration
recorder for the account and region (all supported types, or at least `governed.GOVERNED`).

- `configurationItemDiff.changeType` CREATE (or status `ResourceDiscovered`) is a CREATE, a
  deleted status a DELETE, anything else an UPDATE; `tags` is the item's full tag set (so no
  read is needed), or None when the item is oversized (a summary without tags) or deleted.
- The event id is the CloudTrail event that caused the change (`relatedEvents`) when Config
  names one, so the item and the CloudTrail record share one idempotency key; else the item's
  own state (`configurationStateId`), so the EventBridge and SNS copies act once.
- A type outside `governed.GOVERNED` is skipped (`ungoverned_resource_type`), naming it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson

from costplane.adapters.aws.cloudtrail import PROVIDER, parse_time
from costplane.adapters.aws.cloudtrail_fields import opt_text
from costplane.adapters.aws.governed import BY_CONFIG_TYPE, IdForm
from costplane.domain.errors import EventRejected, Rejection
from costplane.domain.events import Operation, Provider, ResourceEvent
from costplane.engine.envelopes import ParseResult, register_envelope

CONFIG_SOURCE = "aws.config"
ITEM_CHANGE = "Config Configuration Item Change"
CHANGE = "ConfigurationItemChangeNotification"
OVERSIZED = "OversizedConfigurationItemChangeNotification"
_DELETED = frozenset({"ResourceDeleted", "ResourceDeletedNotRecorded"})
_MARKER = "ConfigurationItemChangeNotification"


def is_config_eventbridge(document: Any) -> bool:
    return (
        isinstance(document, dict)
        and document.get("source") == CONFIG_SOURCE
        and document.get("detail-type") == ITEM_CHANGE
    )


def is_sns_notification(document: Any) -> bool:
    """An SNS notification as an HTTPS subscription receives it (not a Lambda batch)."""
    return (
        isinstance(document, dict)
        and document.get("Type") == "Notification"
        and "TopicArn" in document
        and "Message" in document
    )


def is_config_over_lambda_sns(document: Any) -> bool:
    """A Lambda SNS batch whose first message is a configuration-item notification."""
    records = document.get("Records") if isinstance(document, dict) else None
    first = records[0] if isinstance(records, list) and records else None
    sns = first.get("Sns") if isinstance(first, dict) else None
    message = sns.get("Message") if isinstance(sns, dict) else None
    return isinstance(message, str) and _MARKER in message


@register_envelope("aws.config.eventbridge", is_config_eventbridge)
def parse_config_eventbridge(document: Any) -> Iterator[ParseResult]:
    yield from items_of(document.get("detail"), opt_text(document, "id"))


@register_envelope("aws.config.sns", is_sns_notification)
def parse_sns_notification(document: Any) -> Iterator[ParseResult]:
    yield from items_of(_message(document.get("Message")), opt_text(document, "MessageId"))


@register_envelope("aws.config.sns.lambda", is_config_over_lambda_sns)
def parse_lambda_sns(document: Any) -> Iterator[ParseResult]:
    for record in document["Records"]:
        sns = record.get("Sns") if isinstance(record, dict) else None
        sns = sns if isinstance(sns, dict) else {}
        yield from items_of(_message(sns.get("Message")), opt_text(sns, "MessageId"))


def items_of(message: Any, delivery_id: str | None) -> Iterator[ParseResult]:
    """The resource events of one Config message (older messages list several items)."""
    if not isinstance(message, dict):
        reason = "the notification's message is not an AWS Config message"
        yield _rejected(Rejection.NOT_A_RESOURCE_EVENT, reason, delivery_id, skipped=True)
        return
    kind = message.get("messageType")
    if kind not in (CHANGE, OVERSIZED):
        reason = f"a Config {kind!r} message is not a configuration-item change"
        yield _rejected(Rejection.NOT_A_RESOURCE_EVENT, reason, delivery_id, skipped=True)
        return
    diff = message.get("configurationItemDiff")
    change = diff.get("changeType") if isinstance(diff, dict) else None
    found = (
        message.get("configurationItem")
        or message.get("configurationItemSummary")
        or message.get("configurationItems")
    )
    for item in found if isinstance(found, list) else [found]:
        try:
            yield _event(item, change, delivery_id)
        except EventRejected as exc:
            exc.provider, exc.event_name = PROVIDER, ITEM_CHANGE
            exc.event_id = exc.event_id or delivery_id
            yield exc


def _event(item: Any, change: Any, delivery_id: str | None) -> ResourceEvent:
    if not isinstance(item, dict):
        raise _rejected(
            Rejection.MISSING_FIELD, "the message has no configuration item", delivery_id
        )
    config_type = _required(item, "resourceType", delivery_id)
    governed = BY_CONFIG_TYPE.get(config_type)
    if governed is None:
        reason = f"{config_type} is not a resource type costplane governs"
        raise _rejected(Rejection.UNGOVERNED_RESOURCE_TYPE, reason, delivery_id, skipped=True)
    resource_id = _resource_id(item, governed.id_form, delivery_id)
    operation = _operation(change, item.get("configurationItemStatus"))
    tags = item.get("tags")
    captured = item.get("configurationItemCaptureTime")
    return ResourceEvent(
        provider=Provider.AWS,
        event_id=_event_id(item, resource_id, delivery_id),
        event_name=f"AWS Config {config_type} {operation.value}",
        event_time=parse_time(captured, "configurationItem.configurationItemCaptureTime"),
        account=opt_text(item, "awsAccountId") or _required(item, "accountId", delivery_id),
        region=opt_text(item, "awsRegion"),
        resource_id=resource_id,
        resource_type=governed.resource_type,
        operation=operation,
        tags=_tags(tags) if operation is not Operation.DELETE else None,
        raw=item,
    )


def _tags(value: Any) -> dict[str, str] | None:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else None


def _operation(change: Any, status: Any) -> Operation:
    if status in _DELETED or change == "DELETE":
        return Operation.DELETE
    if change == "CREATE" or status == "ResourceDiscovered":
        return Operation.CREATE
    return Operation.UPDATE


def _resource_id(item: dict[str, Any], form: IdForm, delivery_id: str | None) -> str:
    if form is IdForm.ARN:
        arn = opt_text(item, "ARN") or opt_text(item, "arn")
        if arn is None:
            raise _rejected(
                Rejection.MISSING_FIELD, "the configuration item has no ARN", delivery_id
            )
        return arn
    if form is IdForm.NAME:
        return opt_text(item, "resourceName") or _required(item, "resourceId", delivery_id)
    return _required(item, "resourceId", delivery_id)


def _event_id(item: dict[str, Any], resource_id: str, delivery_id: str | None) -> str:
    """The causing CloudTrail event if Config names one, else this state of the resource."""
    related = item.get("relatedEvents")
    if isinstance(related, list) and related and isinstance(related[0], str) and related[0]:
        return related[0]
    state = item.get("configurationStateId") or item.get("configurationStateID")
    state = state or item.get("configurationItemCaptureTime") or delivery_id
    return f"config:{resource_id}:{state}"


def _message(value: Any) -> Any:
    """SNS carries the Config message as a JSON string (examples show it as an object)."""
    if isinstance(value, str):
        try:
            return orjson.loads(value)
        except orjson.JSONDecodeError:
            return None
    return value


def _required(item: dict[str, Any], key: str, delivery_id: str | None) -> str:
    value = opt_text(item, key)
    if value is None:
        raise _rejected(Rejection.MISSING_FIELD, f"configurationItem.{key} is missing", delivery_id)
    return value


def _rejected(
    code: Rejection, reason: str, event_id: str | None, *, skipped: bool = False
) -> EventRejected:
    return EventRejected(
        code, reason, skipped=skipped, provider=PROVIDER, event_id=event_id, event_name=ITEM_CHANGE
    )
