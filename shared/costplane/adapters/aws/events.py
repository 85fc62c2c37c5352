"""AWS envelope parsers: CloudTrail and EC2 state changes -> ResourceEvents. No SDK import.

Envelopes recognised (each matcher checks one or two top-level keys of a JSON object, so
Azure Event Grid arrays, CloudEvents and Pub/Sub pushes are never claimed):

- `aws.eventbridge`  `{"detail-type", "source", ...}`: CloudTrail API calls in `detail`,
  'EC2 Instance State-change Notification', and AWS events that are not resource changes
  (Cost Anomaly Detection, Marketplace, Budgets), rejected as `not_a_resource_event`.
- `aws.cloudtrail.logfile`  `{"Records": [...]}` as CloudTrail writes to S3: each record is
  parsed on its own, so one bad record is rejected without sinking the others.
- `aws.cloudtrail.record`  a bare CloudTrail record (`eventVersion` + `eventSource`).
- `aws.sns` / `aws.marketplace.saas`  SNS deliveries (marketplace, any topic) and Marketplace
  SaaS messages: `not_a_resource_event` until their parsers exist. AWS Budgets alerts over SNS
  are read first, as budget signals, by `budget_signals` (`aws.budgets.sns`).

Resource ids: `resource_id` is the key the service's own tagging API takes, so an enforcer
addresses a resource by resource_type + resource_id + region + account without a lookup:

    aws.ec2.<arn type>        EC2 id: i-..., vol-..., sg-..., nat-... (CreateTags takes ids);
                              the type is the ARN's resource type, from the id prefix
    aws.s3.bucket             bucket name (PutBucketTagging takes the name)
    aws.rds.db                DB instance ARN (AddTagsToResource takes ARNs)
    aws.lambda.function       function ARN, unqualified (TagResource takes ARNs)
    aws.sagemaker.endpoint    endpoint ARN (AddTags takes ARNs)
    aws.sagemaker.training-job
    aws.eks.cluster           cluster ARN (TagResource takes ARNs)
    aws.eks.nodegroup         nodegroup ARN
    aws.elbv2.loadbalancer    load balancer ARN (AddTags takes ARNs); other ELBv2 ARNs
                              (targetgroup) and ARN-addressed TagResource calls get
                              `aws.<service>.<arn resource type>`

Tags: the dict a create call carried (`{}` when it carried none: CloudTrail records the whole
request), the tags set by a tag call (`removed_tags` for removals), or None when the event
cannot say (state changes, terminations, EC2 DeleteTags without a tag set).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from costplane.adapters.aws import (  # noqa: F401 (budgets, then feeds: before EventBridge, SNS)
    budget_signals,
    cloudtrail_services,
    config_items,
    tag_changes,
)
from costplane.adapters.aws.cloudtrail import (
    PROVIDER,
    Envelope,
    events_from_record,
    in_context,
    parse_time,
)
from costplane.adapters.aws.cloudtrail_fields import missing, mistyped, obj, opt_text, text
from costplane.domain.errors import EventRejected, Rejection
from costplane.domain.events import Operation, Provider, ResourceEvent
from costplane.engine.envelopes import ParseResult, register_envelope

CLOUDTRAIL_DETAIL = "AWS API Call via CloudTrail"
STATE_CHANGE = "EC2 Instance State-change Notification"

# EventBridge sources whose events are about money, not resources (issue 4 parses them).
_NON_RESOURCE_SOURCES = {
    "aws.ce": "an AWS Cost Anomaly Detection event",
    "aws.budgets": "an AWS Budgets event",
    "aws.marketplace": "an AWS Marketplace event",
}


def is_eventbridge(document: Any) -> bool:
    return isinstance(document, dict) and "detail-type" in document and "source" in document


def is_cloudtrail_record(document: Any) -> bool:
    return isinstance(document, dict) and "eventVersion" in document and "eventSource" in document


def _records(document: Any) -> list[Any] | None:
    records = document.get("Records") if isinstance(document, dict) else None
    return records if isinstance(records, list) else None


def _lambda_source(records: list[Any]) -> str | None:
    """`aws:sns`, `aws:sqs`, `aws:s3` when `Records` is a Lambda event-source batch."""
    first = records[0] if records else None
    if not isinstance(first, dict):
        return None
    source = first.get("EventSource") or first.get("eventSource")
    return source if isinstance(source, str) and source.startswith("aws:") else None


def is_cloudtrail_log(document: Any) -> bool:
    records = _records(document)
    return records is not None and _lambda_source(records) is None


def is_sns(document: Any) -> bool:
    records = _records(document)
    return records is not None and _lambda_source(records) == "aws:sns"


def is_marketplace_saas(document: Any) -> bool:
    return (
        isinstance(document, dict)
        and "customer-identifier" in document
        and "product-code" in document
    )


@register_envelope("aws.eventbridge", is_eventbridge)
def parse_eventbridge(document: Any) -> Iterator[ParseResult]:
    name = opt_text(document, "detail-type")
    handler = _DETAIL_TYPES.get(name) if name else None
    if handler is not None:
        yield from handler(document)
        return
    source = opt_text(document, "source")
    event_id = opt_text(document, "id")
    kind = _NON_RESOURCE_SOURCES.get(source) if source else None
    if kind is not None:
        reason = f"{kind} ({name!r} from {source}) is not a resource event"
        yield _rejected(Rejection.NOT_A_RESOURCE_EVENT, reason, event_id, name)
    else:
        reason = f"EventBridge {name!r} events from {source} are not parsed by costplane"
        yield _rejected(Rejection.UNSUPPORTED_EVENT, reason, event_id, name)


@register_envelope("aws.cloudtrail.logfile", is_cloudtrail_log)
def parse_log_file(document: Any) -> Iterator[ParseResult]:
    records = document["Records"]
    if not records:
        yield _rejected(
            Rejection.EMPTY_LOG_FILE, "the CloudTrail log file has no Records", None, None
        )
        return
    for index, record in enumerate(records):
        yield from events_from_record(record, where=f"Records[{index}]")


@register_envelope("aws.cloudtrail.record", is_cloudtrail_record)
def parse_record(document: Any) -> Iterator[ParseResult]:
    return events_from_record(document)


@register_envelope("aws.sns", is_sns)
def parse_sns(document: Any) -> Iterator[ParseResult]:
    for index, record in enumerate(document["Records"]):
        sns = record.get("Sns") if isinstance(record, dict) else None
        if not isinstance(sns, dict):
            reason = f"Records[{index}].Sns is missing"
            yield _rejected(Rejection.MISSING_FIELD, reason, None, None, skipped=False)
            continue
        topic = opt_text(sns, "TopicArn")
        reason = f"{_sns_kind(sns)} delivered by SNS topic {topic} is not a resource event"
        yield _rejected(
            Rejection.NOT_A_RESOURCE_EVENT,
            reason,
            opt_text(sns, "MessageId"),
            opt_text(sns, "Subject"),
        )


@register_envelope("aws.marketplace.saas", is_marketplace_saas)
def parse_marketplace_saas(document: Any) -> Iterator[ParseResult]:
    action = opt_text(document, "action")
    reason = f"an AWS Marketplace SaaS message (action {action!r}) is not a resource event"
    yield _rejected(Rejection.NOT_A_RESOURCE_EVENT, reason, None, action)


def _cloudtrail_detail(document: dict[str, Any]) -> Iterator[ParseResult]:
    account = document.get("account")
    if account is not None and not isinstance(account, str):
        exc = mistyped("account", account, "a 12-digit account id string")
        yield in_context(exc, opt_text(document, "id"), CLOUDTRAIL_DETAIL)
        return
    envelope = Envelope(
        event_id=opt_text(document, "id"),
        time=opt_text(document, "time"),
        account=opt_text(document, "account"),
        region=opt_text(document, "region"),
    )
    detail = document.get("detail")
    if not isinstance(detail, dict):
        exc = missing("detail") if detail is None else mistyped("detail", detail, "an object")
        yield in_context(exc, envelope.event_id, CLOUDTRAIL_DETAIL)
        return
    yield from events_from_record(detail, envelope, where="detail")


def _state_change(document: dict[str, Any]) -> Iterator[ParseResult]:
    """The instance's new state is in `raw['detail']['state']`; its tags are unknown."""
    event_id = opt_text(document, "id")
    try:
        detail = obj(document, "detail")
        event = ResourceEvent(
            provider=Provider.AWS,
            event_id=text(document, "id"),
            event_name=STATE_CHANGE,
            event_time=parse_time(document.get("time"), "time"),
            account=text(document, "account"),
            region=opt_text(document, "region"),
            resource_id=text(detail, "instance-id", "detail"),
            resource_type="aws.ec2.instance",
            operation=Operation.STATE,
            tags=None,
            raw=document,
        )
    except EventRejected as exc:
        yield in_context(exc, event_id, STATE_CHANGE)
        return
    yield event


_DETAIL_TYPES: dict[str, Callable[[dict[str, Any]], Iterator[ParseResult]]] = {
    CLOUDTRAIL_DETAIL: _cloudtrail_detail,
    STATE_CHANGE: _state_change,
}

# SNS subjects and message markers that say what a notification is.
_SNS_KINDS: tuple[tuple[Callable[[dict[str, Any]], bool], str], ...] = (
    (
        lambda sns: "customer-identifier" in str(sns.get("Message", "")),
        "an AWS Marketplace message",
    ),
    (lambda sns: "anomalyId" in str(sns.get("Message", "")), "a Cost Anomaly Detection alert"),
)


def _sns_kind(sns: dict[str, Any]) -> str:
    return next((kind for matches, kind in _SNS_KINDS if matches(sns)), "a notification")


def _rejected(
    code: Rejection,
    reason: str,
    event_id: str | None,
    event_name: str | None,
    *,
    skipped: bool = True,
) -> EventRejected:
    return EventRejected(
        code,
        reason,
        skipped=skipped,
        provider=PROVIDER,
        event_id=event_id,
        event_name=event_name,
    )
