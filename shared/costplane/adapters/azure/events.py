"""Azure Event Grid resource events (Event Grid and CloudEvents 1.0 schemas) -> ResourceEvents.

Resource events come from an Azure subscription or resource-group topic. Decisions:

- `ResourceWriteSuccess` is a PUT or PATCH on ARM, and Event Grid does not say whether it
  created the resource. A PATCH only ever updates (UPDATE); a PUT maps to CREATE. The error is
  on the safe side: the grace period after creation applies, so a resource updated by PUT is
  marked for an action rather than stopped at once, while a new one is never denied its grace.
- `Microsoft.Resources/tags/write` (a write or an action on `<scope>/providers/
  Microsoft.Resources/tags/default`) is a TAG on the scope's resource.
- Other `ResourceActionSuccess` events (listKeys, restart...) change no governed state: skipped.
- `*Failure` and `*Cancel` events are skipped as failed calls.
- Event Grid does not carry tags nor the location: `tags` and `region` are None and the
  Inventory reads the resource.

One array may mix event types; each element yields an event or a rejection.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from costplane.adapters.azure import budget_signals  # noqa: F401 (first: precedence)
from costplane.adapters.azure.eventgrid_arm import parse_arm_id, tagged_scope
from costplane.adapters.azure.events_notifications import (
    matches_notification,
    reject_notification,
)
from costplane.domain.errors import EventRejected, Rejection
from costplane.domain.events import Operation, Provider, ResourceEvent
from costplane.engine.envelopes import ParseResult, register_envelope

VALIDATION_EVENT = "Microsoft.EventGrid.SubscriptionValidationEvent"
TAG_WRITE = "microsoft.resources/tags/write"
UPN_CLAIM = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn"
NAME_CLAIM = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name"
_ACTOR_CLAIMS = (UPN_CLAIM, "upn", "unique_name", NAME_CLAIM, "name")


@dataclass(frozen=True, slots=True)
class _Schema:
    """Where the two delivery schemas keep the same facts."""

    type_key: str
    time_key: str


EVENT_GRID = _Schema("eventType", "eventTime")
CLOUD_EVENTS = _Schema("type", "time")


def _first(document: Any) -> Any:
    return document[0] if isinstance(document, list) and document else document


def matches_event_grid(document: Any) -> bool:
    """CloudTrail records have `eventType` too; only Event Grid adds `subject`/`dataVersion`."""
    item = _first(document)
    return (
        isinstance(item, dict)
        and "eventType" in item
        and ("subject" in item or "dataVersion" in item)
    )


def matches_cloud_events(document: Any) -> bool:
    item = _first(document)
    if not isinstance(item, dict) or "specversion" not in item:
        return False
    kind = item.get("type")
    return isinstance(kind, str) and kind.startswith("Microsoft.")


@register_envelope("azure.notification", matches_notification)
def parse_notification(document: Any) -> Iterator[ParseResult]:
    yield reject_notification(document)


def parse_grid_events(document: Any) -> Iterator[ParseResult]:
    """One result per element of an Event Grid delivery (an array, or one event)."""
    for item in document if isinstance(document, list) else (document,):
        yield _grid_item(item)


register_envelope("azure.eventgrid", matches_event_grid)(parse_grid_events)
register_envelope("azure.cloudevents", matches_cloud_events)(parse_grid_events)


def validation_response(document: Any) -> dict[str, str] | None:
    """The body that completes Event Grid's subscription-validation handshake, or None."""
    for item in document if isinstance(document, list) else (document,):
        if isinstance(item, dict) and item.get("eventType") == VALIDATION_EVENT:
            data = item.get("data")
            code = data.get("validationCode") if isinstance(data, dict) else None
            if isinstance(code, str) and code:
                return {"validationResponse": code}
    return None


def cloudevents_options_headers(
    request_headers: Mapping[str, str], allowed_origins: Collection[str] | None = None
) -> dict[str, str]:
    """Answer to the CloudEvents webhook abuse-protection OPTIONS request.

    Grants the requesting origin (any, unless `allowed_origins` is given) an unlimited rate.
    An empty dict means "not granted": the caller answers 400 (no origin) or 403.
    """
    origin = next(
        (v for k, v in request_headers.items() if k.lower() == "webhook-request-origin"), ""
    )
    if not origin or (allowed_origins is not None and origin not in allowed_origins):
        return {}
    return {"WebHook-Allowed-Origin": origin, "WebHook-Allowed-Rate": "*"}


def _grid_item(item: Any) -> ParseResult:
    if not isinstance(item, dict):
        return _rejected(
            Rejection.INVALID_FIELD, f"an Event Grid event is a JSON {type(item).__name__}"
        )
    schema = CLOUD_EVENTS if "specversion" in item else EVENT_GRID
    event_type = item.get(schema.type_key)
    handler = _HANDLERS.get(event_type) if isinstance(event_type, str) else None
    if handler is None:
        return _rejected(
            Rejection.UNSUPPORTED_EVENT,
            f"Event Grid event type {event_type!r} is not a resource event",
            skipped=True,
            item=item,
        )
    try:
        return handler(item, schema)
    except EventRejected as exc:
        exc.event_id = _str(item.get("id"))
        exc.event_name = event_type
        return exc


def _write(item: dict[str, Any], schema: _Schema) -> ParseResult:
    data = _data(item)
    if _is_tag_write(data):
        return _resource_event(item, data, schema, Operation.TAG)
    request = data.get("httpRequest")
    method = request.get("method") if isinstance(request, dict) else None
    operation = Operation.UPDATE if method == "PATCH" else Operation.CREATE
    return _resource_event(item, data, schema, operation)


def _delete(item: dict[str, Any], schema: _Schema) -> ParseResult:
    return _resource_event(item, _data(item), schema, Operation.DELETE)


def _action(item: dict[str, Any], schema: _Schema) -> ParseResult:
    data = _data(item)
    if _is_tag_write(data):
        return _resource_event(item, data, schema, Operation.TAG)
    return _rejected(
        Rejection.UNSUPPORTED_EVENT,
        f"action {data.get('operationName')!r} changes no governed state",
        skipped=True,
        item=item,
    )


def _failed(item: dict[str, Any], schema: _Schema) -> ParseResult:
    return _rejected(
        Rejection.FAILED_CALL,
        f"{item.get(schema.type_key)}: the operation did not succeed",
        skipped=True,
        item=item,
    )


def _validation(item: dict[str, Any], schema: _Schema) -> ParseResult:
    return _rejected(
        Rejection.SUBSCRIPTION_VALIDATION,
        "Event Grid subscription-validation handshake; answer it with validation_response()",
        skipped=True,
        item=item,
    )


_Handler = Callable[[dict[str, Any], _Schema], ParseResult]
_HANDLERS: dict[str, _Handler] = {
    "Microsoft.Resources.ResourceWriteSuccess": _write,
    "Microsoft.Resources.ResourceDeleteSuccess": _delete,
    "Microsoft.Resources.ResourceActionSuccess": _action,
    **{
        f"Microsoft.Resources.Resource{verb}{outcome}": _failed
        for verb in ("Write", "Delete", "Action")
        for outcome in ("Failure", "Cancel")
    },
    VALIDATION_EVENT: _validation,
}


def _resource_event(
    item: dict[str, Any], data: dict[str, Any], schema: _Schema, operation: Operation
) -> ParseResult:
    event_id = _required(item, "id")
    subject = _str(data.get("resourceUri")) or _required(item, "subject")
    if operation is Operation.TAG:
        subject = tagged_scope(subject)
    resource = parse_arm_id(subject)
    event_time = _required(item, schema.time_key)
    try:
        return ResourceEvent(
            provider=Provider.AZURE,
            event_id=event_id,
            event_name=_str(data.get("operationName")) or str(item.get(schema.type_key)),
            event_time=event_time,
            account=_str(data.get("subscriptionId")) or resource.subscription,
            resource_id=resource.resource_id,
            resource_type=resource.resource_type,
            operation=operation,
            actor=_actor(data),
            raw=item,
        )
    except ValidationError:
        return _rejected(
            Rejection.INVALID_FIELD,
            f"{schema.time_key} {event_time!r} is not an RFC 3339 timestamp",
            item=item,
        )


def _actor(data: dict[str, Any]) -> str | None:
    """The caller: user principal name or name claim, else the service principal's id."""
    claims = data.get("claims")
    claims = claims if isinstance(claims, dict) else {}
    for claim in _ACTOR_CLAIMS:
        if value := _str(claims.get(claim)):
            return value
    authorization = data.get("authorization")
    evidence = authorization.get("evidence") if isinstance(authorization, dict) else None
    principal = evidence.get("principalId") if isinstance(evidence, dict) else None
    return _str(principal) or _str(claims.get("appid"))


def _is_tag_write(data: dict[str, Any]) -> bool:
    name = data.get("operationName")
    return isinstance(name, str) and name.lower() == TAG_WRITE


def _data(item: dict[str, Any]) -> dict[str, Any]:
    data = item.get("data")
    if not isinstance(data, dict):
        raise EventRejected(
            Rejection.MISSING_FIELD, "the event has no `data` object", provider="azure"
        )
    return data


def _required(item: dict[str, Any], key: str) -> str:
    value = _str(item.get(key))
    if value is None:
        raise EventRejected(
            Rejection.MISSING_FIELD, f"the event has no `{key}` string", provider="azure"
        )
    return value


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _rejected(
    code: Rejection, reason: str, *, skipped: bool = False, item: dict[str, Any] | None = None
) -> EventRejected:
    item = item or {}
    kind = item.get("eventType", item.get("type"))
    return EventRejected(
        code,
        reason,
        skipped=skipped,
        provider="azure",
        event_id=_str(item.get("id")),
        event_name=_str(kind),
    )
