"""GCP deliveries of Cloud Audit Log entries -> ResourceEvents, whatever the envelope.

Recognised envelopes:
- a bare LogEntry: what a log sink writes, and the body of a binary-mode Eventarc CloudEvent
  (LogEntryData has the LogEntry's JSON shape);
- a structured CloudEvent: `google.cloud.audit.log.v1.written` (data: LogEntryData) or
  `google.cloud.pubsub.topic.v1.messagePublished` (data: MessagePublishedData);
- a Pub/Sub push message or Eventarc MessagePublishedData (`{"message": {"data": <base64>, ...},
  "subscription": ...}`), as a log sink to a topic delivers entries.

The idempotency key comes from the LogEntry, never from the envelope, so one entry delivered
through two routes is acted on once. Budget notifications, in any of these envelopes, are
read by `budget_signals` (registered first, so it takes them before the parsers here); other
Pub/Sub messages that carry no LogEntry are skipped as `not_a_resource_event`, with a reason that
says what they are.
"""

from __future__ import annotations

import binascii
from collections.abc import Callable, Iterator
from typing import Any

import orjson

from costplane.adapters.gcp import budget_signals  # noqa: F401 (first: precedence)
from costplane.adapters.gcp.asset_feed import matches_temporal_asset, read_published
from costplane.adapters.gcp.auditlog import parse_log_entry
from costplane.domain.errors import EventRejected, Rejection
from costplane.engine.admission import check_decoded_depth
from costplane.engine.envelopes import ParseResult, register_envelope

AUDIT_LOG_WRITTEN = "google.cloud.audit.log.v1.written"
MESSAGE_PUBLISHED = "google.cloud.pubsub.topic.v1.messagePublished"


def matches_log_entry(document: Any) -> bool:
    return isinstance(document, dict) and "protoPayload" in document


def matches_cloud_event(document: Any) -> bool:
    if not isinstance(document, dict) or "specversion" not in document:
        return False
    kind = document.get("type")
    return isinstance(kind, str) and kind.startswith("google.")


def matches_pubsub_push(document: Any) -> bool:
    return (
        isinstance(document, dict)
        and "subscription" in document
        and isinstance(document.get("message"), dict)
    )


@register_envelope("gcp.auditlog", matches_log_entry)
def parse_bare_entry(document: Any) -> Iterator[ParseResult]:
    yield parse_log_entry(document)


@register_envelope("gcp.cloudevent", matches_cloud_event)
def parse_cloud_event(document: Any) -> Iterator[ParseResult]:
    kind = document.get("type")
    read = _CLOUD_EVENT_DATA.get(kind)
    event_id = _text(document.get("id"))
    if read is None:
        yield _rejected(
            Rejection.UNSUPPORTED_EVENT,
            f"CloudEvent type {kind!r} carries no audit log entry",
            skipped=True,
            event_id=event_id,
        )
        return
    data = document.get("data")
    if not isinstance(data, dict):
        yield _rejected(
            Rejection.MISSING_FIELD, f"{kind} CloudEvent has no data object", event_id=event_id
        )
        return
    result = read(data)
    if isinstance(result, EventRejected) and result.event_id is None:
        result.event_id = event_id
    yield result


@register_envelope("gcp.pubsub", matches_pubsub_push)
def parse_pubsub_push(document: Any) -> Iterator[ParseResult]:
    yield parse_published_message(document)


def parse_published_message(published: dict[str, Any]) -> ParseResult:
    """Decode `message.data` (base64 JSON) and parse the LogEntry it should hold."""
    message = published.get("message")
    if not isinstance(message, dict):
        return _rejected(Rejection.MISSING_FIELD, "the Pub/Sub delivery has no message object")
    message_id = _text(message.get("messageId")) or _text(message.get("message_id"))
    encoded = message.get("data")
    if not isinstance(encoded, str) or not encoded:
        return _rejected(
            Rejection.MISSING_FIELD, "the Pub/Sub message has no data", event_id=message_id
        )
    try:
        decoded = binascii.a2b_base64(encoded, strict_mode=True)
    except (binascii.Error, ValueError) as exc:
        return _rejected(
            Rejection.INVALID_BASE64,
            f"Pub/Sub message data is not base64: {exc}",
            event_id=message_id,
        )
    try:
        inner = orjson.loads(decoded)
        check_decoded_depth(decoded, inner)
    except orjson.JSONDecodeError as exc:
        return _not_json(decoded, exc, message_id)
    except EventRejected as exc:
        return _rejected(exc.code, f"Pub/Sub message data: {exc.reason}", event_id=message_id)
    for matches, read in _MESSAGE_KINDS:
        if matches(inner):
            return read(inner, message_id)
    return _rejected(
        Rejection.NOT_A_RESOURCE_EVENT,
        "Pub/Sub message data is JSON but not a Cloud Audit Log entry",
        skipped=True,
        event_id=message_id,
    )


def _not_json(decoded: bytes, exc: orjson.JSONDecodeError, message_id: str | None) -> EventRejected:
    """Broken JSON is malformed input; plain text is a well-formed message that is not ours."""
    if decoded.lstrip()[:1] in (b"{", b"["):
        return _rejected(
            Rejection.MALFORMED_JSON,
            f"Pub/Sub message data is not valid JSON: {exc}",
            event_id=message_id,
        )
    return _rejected(
        Rejection.NOT_A_RESOURCE_EVENT,
        "Pub/Sub message data is plain text, not a Cloud Audit Log entry",
        skipped=True,
        event_id=message_id,
    )


def _entry(document: dict[str, Any], message_id: str | None) -> ParseResult:
    return parse_log_entry(document)


_CLOUD_EVENT_DATA: dict[str, Callable[[dict[str, Any]], ParseResult]] = {
    AUDIT_LOG_WRITTEN: parse_log_entry,
    MESSAGE_PUBLISHED: parse_published_message,
}
_MESSAGE_KINDS: tuple[
    tuple[Callable[[Any], bool], Callable[[dict[str, Any], str | None], ParseResult]], ...
] = ((matches_log_entry, _entry), (matches_temporal_asset, read_published))


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _rejected(
    code: Rejection, reason: str, *, skipped: bool = False, event_id: str | None = None
) -> EventRejected:
    return EventRejected(code, reason, skipped=skipped, provider="gcp", event_id=event_id)
