"""One CloudTrail record -> ResourceEvents, or a precise rejection; never an exception.

The record is read as plain dicts (no model validation of the CloudTrail document): only the
fields an extractor needs are touched, which keeps a decision well under a millisecond.
A record is all-or-nothing: if any resource in it is malformed, the record is rejected whole,
so a retried delivery cannot act on half of it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any, NamedTuple

from costplane.adapters.aws.cloudtrail_fields import Record, missing, mistyped, opt_text, text
from costplane.adapters.aws.cloudtrail_resources import Scope, find_extractor
from costplane.domain.errors import EventRejected, Rejection
from costplane.domain.events import Provider, ResourceEvent
from costplane.engine.envelopes import ParseResult

PROVIDER = Provider.AWS.value
_READ_ONLY_PREFIXES = ("Describe", "Get", "List", "Head", "Lookup", "BatchGet", "Search")
_MAX_ERROR_MESSAGE = 200


class Envelope(NamedTuple):
    """What a wrapper (EventBridge) knows about the record inside it, used as fallbacks."""

    event_id: str | None = None
    time: str | None = None
    account: str | None = None
    region: str | None = None


NO_ENVELOPE = Envelope()


def events_from_record(
    record: Any, envelope: Envelope = NO_ENVELOPE, where: str = ""
) -> Iterator[ParseResult]:
    """Yield the record's events, or one EventRejected; `where` locates it in a log file."""
    try:
        events = _events(record, envelope)
    except EventRejected as exc:
        yield in_context(
            exc,
            opt_text(record, "eventID") or envelope.event_id,
            opt_text(record, "eventName"),
            where,
        )
        return
    yield from events


def in_context(
    exc: EventRejected, event_id: str | None, event_name: str | None, where: str = ""
) -> EventRejected:
    """The same rejection, with the provider and whatever is known of the event filled in."""
    reason = f"{where}: {exc.reason}" if where else exc.reason
    return EventRejected(
        exc.code,
        reason,
        skipped=exc.skipped,
        provider=PROVIDER,
        event_id=event_id,
        event_name=event_name,
    )


def parse_time(value: Any, path: str) -> datetime:
    """ISO 8601 as CloudTrail writes it ('...Z'), or Panther's '2024-04-02 15:13:06.000000000'."""
    if not isinstance(value, str):
        raise missing(path) if value is None else mistyped(path, value, "an ISO 8601 string")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise EventRejected(
            Rejection.INVALID_FIELD, f"{path} {value!r} is not an ISO 8601 time"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def actor_of(record: Record) -> str | None:
    """The principal's ARN; services acting for themselves have only invokedBy/principalId."""
    identity = record.get("userIdentity")
    if not isinstance(identity, dict):
        return None
    for key in ("arn", "invokedBy", "principalId"):
        value = identity.get(key)
        if isinstance(value, str) and value:
            return value
    return None


def _events(record: Any, envelope: Envelope) -> list[ResourceEvent]:
    if not isinstance(record, dict):
        raise mistyped("record", record, "a CloudTrail record object")
    name = text(record, "eventName")
    source = text(record, "eventSource")
    error = record.get("errorCode")
    if error is not None:
        raise _failed(source, name, error, record.get("errorMessage"))
    extract = find_extractor(source, name)
    if extract is None:
        raise _not_acted_on(record, source, name)
    event_id = opt_text(record, "eventID") or envelope.event_id
    if event_id is None:
        raise missing("eventID")
    event_time = parse_time(record.get("eventTime") or envelope.time, "eventTime")
    scope = Scope(_account(record, envelope), opt_text(record, "awsRegion") or _region(envelope))
    actor = actor_of(record)
    events = [
        ResourceEvent(
            provider=Provider.AWS,
            event_id=event_id,
            event_name=name,
            event_time=event_time,
            account=scope.account,
            region=scope.region,
            resource_id=target.resource_id,
            resource_type=target.resource_type,
            operation=target.operation,
            actor=actor,
            tags=target.tags,
            removed_tags=target.removed_tags,
            raw=record,
        )
        for target in extract(record, scope)
    ]
    if not events:
        raise EventRejected(Rejection.NO_RESOURCES, f"{source} {name} names no resource")
    return events


def _failed(source: str, name: str, code: Any, message: Any) -> EventRejected:
    reason = f"{source} {name} failed with {code}"
    if isinstance(message, str) and message:
        reason += f": {message[:_MAX_ERROR_MESSAGE]}"
    return EventRejected(Rejection.FAILED_CALL, reason, skipped=True)


def _not_acted_on(record: Record, source: str, name: str) -> EventRejected:
    if record.get("readOnly") is True or name.startswith(_READ_ONLY_PREFIXES):
        return EventRejected(
            Rejection.READ_ONLY_EVENT,
            f"{source} {name} is read-only; nothing changed",
            skipped=True,
        )
    return EventRejected(
        Rejection.UNSUPPORTED_EVENT,
        f"{source} {name} is not a resource change costplane parses",
        skipped=True,
    )


def _account(record: Record, envelope: Envelope) -> str:
    """The account the resource lives in; a recipientAccountId that is present but not text is
    rejected, never replaced by the caller's account (whose defaults would then apply)."""
    recipient = record.get("recipientAccountId")
    if recipient is not None and not isinstance(recipient, str):
        raise mistyped("recipientAccountId", recipient, "a 12-digit account id string")
    account = opt_text(record, "recipientAccountId") or envelope.account
    identity = record.get("userIdentity")
    if account is None and isinstance(identity, dict):
        account = opt_text(identity, "accountId")
    if account is None:
        raise missing("recipientAccountId")
    return account


def _region(envelope: Envelope) -> str:
    if envelope.region is None:
        raise missing("awsRegion")
    return envelope.region
