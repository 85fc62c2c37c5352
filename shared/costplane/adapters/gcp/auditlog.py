"""One Cloud Audit Log entry (a LogEntry whose protoPayload is an AuditLog) -> one ResourceEvent.

Long-running operations (compute, Cloud SQL, GKE) log one entry with `operation.first` when the
request is accepted and one with `operation.last` when it completes. We act once, on `first`:
every such sample we hold (compute instances, instance templates, Cloud SQL) carries the
resource name, the caller and the request with its labels in that entry, so `last` adds nothing
the decision needs, and acting early is what the grace period after creation is for. A lone
`last` entry is skipped (`operation_last`); an entry both first and last (a synchronous call) is
acted on. The event id is the operation id whenever there is one, so both entries of an
operation (and their rejections) carry the same id and idempotency key. A log sink must
therefore not filter on `operation.last`.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from costplane.adapters.gcp.auditlog_methods import MethodSpec, method_spec
from costplane.domain.errors import EventRejected, Rejection
from costplane.domain.events import Provider, ResourceEvent
from costplane.engine.envelopes import ParseResult

AUDIT_LOG_TYPE = "type.googleapis.com/google.cloud.audit.AuditLog"
_LOCATION_SEGMENTS = frozenset({"zones", "regions", "locations"})
_LOCATION_LABELS = ("zone", "region", "location")


def parse_log_entry(entry: Any) -> ParseResult:
    """Never raises on bad input: returns the rejection instead."""
    if not isinstance(entry, dict):
        kind = type(entry).__name__
        return _rejected(Rejection.INVALID_FIELD, f"a LogEntry is a JSON object, not a JSON {kind}")
    payload = entry.get("protoPayload")
    if not isinstance(payload, dict):
        return _rejected(
            Rejection.MISSING_FIELD, "the LogEntry has no protoPayload object", entry=entry
        )
    if payload.get("@type") != AUDIT_LOG_TYPE:
        reason = f"a LogEntry of {payload.get('@type')!r} is not a Cloud Audit Log entry"
        return _rejected(Rejection.NOT_A_RESOURCE_EVENT, reason, skipped=True, entry=entry)
    method = payload.get("methodName")
    if not isinstance(method, str) or not method:
        return _rejected(Rejection.MISSING_FIELD, "protoPayload has no methodName", entry=entry)
    spec = method_spec(method)
    if spec is None:
        return _rejected(
            Rejection.UNSUPPORTED_EVENT,
            f"audit log method {method!r} is not a governed resource operation",
            skipped=True,
            entry=entry,
        )
    skip = _skip_reason(entry, payload)
    if skip is not None:
        return _rejected(*skip, skipped=True, entry=entry)
    try:
        return _event(entry, payload, method, spec)
    except EventRejected as exc:
        exc.provider, exc.event_id, exc.event_name = "gcp", event_id_of(entry), method
        return exc


def event_id_of(entry: dict[str, Any]) -> str | None:
    """The operation id when the entry belongs to an operation (first and last share it)."""
    operation = entry.get("operation")
    if isinstance(operation, dict) and (operation_id := _text(operation.get("id"))):
        return operation_id
    return _text(entry.get("insertId"))


def _skip_reason(entry: dict[str, Any], payload: dict[str, Any]) -> tuple[Rejection, str] | None:
    status = payload.get("status")
    if isinstance(status, dict) and status.get("code"):
        return (
            Rejection.FAILED_CALL,
            f"the call failed with status {status['code']}: {status.get('message')}",
        )
    operation = entry.get("operation")
    if isinstance(operation, dict) and operation.get("last") and not operation.get("first"):
        return Rejection.OPERATION_LAST, "the operation's first entry already produced the event"
    return None


def _event(
    entry: dict[str, Any], payload: dict[str, Any], method: str, spec: MethodSpec
) -> ResourceEvent:
    event_id = event_id_of(entry)
    if event_id is None:
        raise EventRejected(
            Rejection.MISSING_FIELD, "the entry has neither operation.id nor insertId"
        )
    resource_id = _text(spec.name(payload))
    if resource_id is None:
        raise EventRejected(Rejection.MISSING_FIELD, f"{method} entry does not name its resource")
    timestamp = _text(entry.get("timestamp"))
    if timestamp is None:
        raise EventRejected(Rejection.MISSING_FIELD, "the entry has no timestamp")
    resource = entry.get("resource")
    labels = resource.get("labels") if isinstance(resource, dict) else None
    labels = labels if isinstance(labels, dict) else {}
    authentication = payload.get("authenticationInfo")
    actor = authentication.get("principalEmail") if isinstance(authentication, dict) else None
    try:
        return ResourceEvent(
            provider=Provider.GCP,
            event_id=event_id,
            event_name=method,
            event_time=timestamp,
            account=_project(entry, labels, resource_id),
            region=_text(spec.region(payload)) or _region(payload, labels, resource_id),
            resource_id=resource_id,
            resource_type=spec.resource_type,
            operation=spec.operation,
            actor=_text(actor),
            tags=_tags(spec.labels(payload)),
            raw=entry,
        )
    except ValidationError as exc:
        raise EventRejected(
            Rejection.INVALID_FIELD, f"timestamp {timestamp!r} is not an RFC 3339 timestamp"
        ) from exc


def _project(entry: dict[str, Any], labels: dict[str, Any], resource_id: str) -> str:
    """From the monitored resource, else the resource path, else the log name."""
    project = _text(labels.get("project_id"))
    if project:
        return project
    for path in (resource_id, entry.get("logName")):
        if isinstance(path, str) and path.startswith("projects/"):
            candidate = path.split("/", 2)[1]
            if candidate and candidate != "_":
                return candidate
    raise EventRejected(Rejection.MISSING_FIELD, "the entry names no project")


def _region(payload: dict[str, Any], labels: dict[str, Any], resource_id: str) -> str | None:
    """Zone, region or location from the resource path, the monitored resource or the log."""
    parts = resource_id.split("/")
    for i, part in enumerate(parts[:-1]):
        if part in _LOCATION_SEGMENTS:
            return parts[i + 1]
    if "global" in parts:
        return "global"
    for key in _LOCATION_LABELS:
        if value := _text(labels.get(key)):
            return value
    location = payload.get("resourceLocation")
    current = location.get("currentLocations") if isinstance(location, dict) else None
    if isinstance(current, list) and len(current) == 1:
        return _text(current[0])
    return None


def _tags(labels: Any) -> dict[str, str] | None:
    if not isinstance(labels, dict):
        return None
    return {str(k): str(v) for k, v in labels.items()}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _rejected(
    code: Rejection, reason: str, *, skipped: bool = False, entry: dict[str, Any] | None = None
) -> EventRejected:
    payload = entry.get("protoPayload") if entry else None
    method = payload.get("methodName") if isinstance(payload, dict) else None
    return EventRejected(
        code,
        reason,
        skipped=skipped,
        provider="gcp",
        event_id=event_id_of(entry) if entry else None,
        event_name=_text(method),
    )
