"""What a payload must be before any parser reads it, and what its items must be before any
service acts on them: bounded in depth and size, valid Unicode, identities in their provider's
format, times within range.

Every check ends in a rejection with a stable code, never an exception, so one bad input
fails alone (the batch it came in is decided, and a queue is never blocked by a poison
message). Each check fails the same way however often it is delivered: a rejection is final.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson

from costplane.domain.errors import EventRejected, Rejection
from costplane.domain.events import ResourceEvent
from costplane.domain.identities import problems
from costplane.domain.signals import BudgetSignal

MAX_PAYLOAD_BYTES = 1_048_576
MAX_DEPTH = 64
"""CloudTrail's deepest request parameters are about a dozen levels; Python's own repr and
JSON encoders give up a little under 1,000."""
_CONTAINERS = (dict, list)  # a tuple: isinstance with it is faster than with `dict | list`
_NOT_OPENINGS = bytes(set(range(256)) - set(b"[{"))
MAX_ITEMS = 500
"""Events one payload may carry: a delivery is decided within a function's timeout (each
event is a claim, a decision and an audit write), and a larger one is a batch to split."""
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
"""No cloud event predates 2000; any time beyond 2200 is a typo, and dates near year 9999
overflow the arithmetic of grace periods and budget windows."""


def check_depth(document: Any) -> None:
    """Raise EventRejected when `document` nests deeper than MAX_DEPTH (walked iteratively).

    Only containers are carried from one level to the next (most values are scalars, which
    nest nothing): a value lies deeper than MAX_DEPTH when a non-empty container lies at
    MAX_DEPTH or below.
    """
    level: list[Any] = [document] if isinstance(document, _CONTAINERS) else []
    depth = 0
    while level:
        if depth >= MAX_DEPTH and any(level):
            raise EventRejected(
                Rejection.TOO_DEEPLY_NESTED, f"the payload nests deeper than {MAX_DEPTH} levels"
            )
        deeper: list[Any] = []
        for node in level:
            for child in node.values() if isinstance(node, dict) else node:
                if isinstance(child, _CONTAINERS):
                    deeper.append(child)
        level = deeper
        depth += 1


def check_decoded_depth(raw: bytes | str, document: Any) -> None:
    """check_depth for `document` decoded from `raw`, without the walk when `raw` holds too
    few brackets to nest that deep: a value below MAX_DEPTH containers needs more than
    MAX_DEPTH of them, each opened by a `[` or `{` (one inside a string only adds to the
    count). Most events hold fewer containers than that."""
    if isinstance(raw, str):
        openings = raw.count("[") + raw.count("{")
    else:
        openings = len(raw.translate(None, _NOT_OPENINGS))  # faster than two counts
    if openings > MAX_DEPTH:
        check_depth(document)


def within_depth(document: Any) -> bool:
    """Whether `document` nests no deeper than MAX_DEPTH: code that copies or prints a
    document recursively (a deep copy, a repr) may take it."""
    try:
        check_depth(document)
    except EventRejected:
        return False
    return True


def encode(document: Any) -> bytes:
    """A decoded document (a Lambda event, a bound trigger's fields) back to JSON, checked as
    raw payloads are: depth, valid UTF-8 (no lone surrogates) and size."""
    check_depth(document)
    try:
        raw = orjson.dumps(document)
    except orjson.JSONEncodeError as exc:
        raise EventRejected(
            Rejection.INVALID_UNICODE, f"the payload cannot be written as UTF-8 JSON: {exc}"
        ) from None
    check_size(len(raw))
    return raw


def check_size(size: int) -> None:
    if size > MAX_PAYLOAD_BYTES:
        raise EventRejected(
            Rejection.PAYLOAD_TOO_LARGE,
            f"payload is {size} bytes; the limit is {MAX_PAYLOAD_BYTES}",
        )


def check_count(count: int) -> None:
    if count > MAX_ITEMS:
        raise EventRejected(
            Rejection.TOO_MANY_EVENTS,
            f"the payload holds {count} items; the limit is {MAX_ITEMS} per delivery",
        )


def event_rejection(event: ResourceEvent) -> EventRejected | None:
    """Why `event` must not be acted on, or None: identities, then its time."""
    found = problems(event)
    code = Rejection.INVALID_IDENTITY
    if not found and not in_range(event.event_time):
        code = Rejection.TIME_OUT_OF_RANGE
        found = [f"event time {event.event_time.isoformat()} is out of range"]
    if not found:
        return None
    return EventRejected(
        code,
        "; ".join(found),
        provider=event.provider.value,
        event_id=event.event_id[:256],
        event_name=event.event_name[:256],
    )


def signal_rejection(signal: BudgetSignal) -> EventRejected | None:
    """Why a budget signal must not move a budget, or None: its times."""
    for name, moment in (("period start", signal.period_start), ("time", signal.observed_at)):
        if moment is not None and not in_range(moment):
            return EventRejected(
                Rejection.TIME_OUT_OF_RANGE,
                f"budget signal {name} {moment.isoformat()} is out of range",
                provider=signal.provider.value,
                event_id=signal.signal_id,
                event_name="budget",
            )
    return None


def in_range(moment: datetime) -> bool:
    """Whether `moment` lies in [EARLIEST, LATEST); a naive time is read as UTC."""
    try:
        utc = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    except (OverflowError, ValueError):
        return False
    return EARLIEST <= utc < LATEST
