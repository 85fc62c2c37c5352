"""The one registry of envelope parsers: each recognises one provider envelope and yields what it
holds: resource events, cloud budget signals (and next, marketplace and AI-usage events).

Adapters register parsers at import time; `parse_payload` tries them in registration order,
each deciding from one or two top-level keys, so dispatch costs microseconds. A payload is
decoded and classified once; every service reads the same `ParsedPayload`.
Registration order is precedence: a cloud's events module registers its specific parsers
(budget notifications) before its catch-all ones (any SNS or Pub/Sub message).

Neither entry point raises on bad input: a payload is admitted (`admission`: size, depth,
Unicode) before any parser reads it, a parser that fails unexpectedly is a rejection
(`unparseable`), and each item is admitted (identities, times) before a service sees it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from costplane.domain.errors import EventRejected, Rejection
from costplane.domain.events import ResourceEvent
from costplane.domain.signals import BudgetSignal
from costplane.engine.admission import (
    check_count,
    check_decoded_depth,
    check_size,
    encode,
    event_rejection,
    signal_rejection,
)

ParseResult = ResourceEvent | BudgetSignal | EventRejected
Matcher = Callable[[Any], bool]
Parser = Callable[[Any], Iterator[ParseResult]]
SingleParser = Callable[[Any], ParseResult]


@dataclass(frozen=True, slots=True)
class EnvelopeParser:
    name: str
    matches: Matcher
    parse: Parser


@dataclass(slots=True)
class ParsedPayload:
    """Everything one payload yielded: events to decide on, and what was rejected and why."""

    envelope: str | None
    events: list[ResourceEvent] = field(default_factory=list)
    signals: list[BudgetSignal] = field(default_factory=list)
    rejected: list[EventRejected] = field(default_factory=list)


_PARSERS: list[EnvelopeParser] = []


def register_envelope(name: str, matches: Matcher) -> Callable[[Parser], Parser]:
    """Register `parse` for payloads on which `matches` is true. Names are unique."""

    def decorator(parse: Parser) -> Parser:
        if any(p.name == name for p in _PARSERS):
            raise ValueError(f"envelope parser {name!r} is already registered")
        _PARSERS.append(EnvelopeParser(name, matches, parse))
        return parse

    return decorator


def register_single(name: str, matches: Matcher) -> Callable[[SingleParser], SingleParser]:
    """Register a parser of envelopes that hold exactly one item (a budget notification);
    it returns the item or raises EventRejected."""

    def decorator(parse: SingleParser) -> SingleParser:
        def parse_one(document: Any) -> Iterator[ParseResult]:
            yield parse(document)

        register_envelope(name, matches)(parse_one)
        return parse

    return decorator


def registered_envelopes() -> list[str]:
    return [p.name for p in _PARSERS]


def decode(raw: bytes | str) -> Any:
    """Decode JSON with limits on size and depth; raise EventRejected with a precise reason."""
    size = len(raw)
    check_size(size)
    if size == 0 or not raw.strip():
        raise EventRejected(Rejection.EMPTY_PAYLOAD, "payload is empty")
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise EventRejected(Rejection.MALFORMED_JSON, f"payload is not valid JSON: {exc}") from exc
    check_decoded_depth(raw, document)
    return document


def parse_document(document: Any) -> ParsedPayload:
    """Route a decoded JSON document (a Lambda event, a trigger's fields) to the first parser
    that recognises it, once it is admitted as a raw payload would be."""
    try:
        encode(document)
    except EventRejected as exc:
        return ParsedPayload(None, rejected=[exc])
    return _route(document)


def parse_payload(raw: bytes | str) -> ParsedPayload:
    """Parse raw bytes into events; never raises on bad input, rejects it with a reason."""
    try:
        document = decode(raw)
    except EventRejected as exc:
        return ParsedPayload(None, rejected=[exc])
    return _route(document)


def _route(document: Any) -> ParsedPayload:
    parser = next((p for p in _PARSERS if p.matches(document)), None)
    if parser is None:
        return ParsedPayload(None, rejected=[_unknown(document)])
    result = ParsedPayload(parser.name)
    try:
        items = list(parser.parse(document))
        check_count(len(items))
    except EventRejected as exc:
        result.rejected.append(exc)
        return result
    except Exception as exc:  # a parser's bug must not sink the delivery: reject, say why
        reason = f"the {parser.name} parser failed: {type(exc).__name__}: {str(exc)[:200]}"
        result.rejected.append(EventRejected(Rejection.UNPARSEABLE, reason))
        return result
    _admit(result, items)
    return result


def _admit(result: ParsedPayload, items: list[ParseResult]) -> None:
    """Sort items into the result; an event with a bad identity or time sinks every event of
    its provider event id, so one record is acted on whole or not at all."""
    refused: dict[str, EventRejected] = {}
    for item in items:
        if isinstance(item, ResourceEvent) and (refusal := event_rejection(item)) is not None:
            refused.setdefault(item.event_id, refusal)
    result.rejected.extend(refused.values())
    for item in items:
        if isinstance(item, EventRejected):
            result.rejected.append(item)
        elif isinstance(item, BudgetSignal):
            if (refusal := signal_rejection(item)) is not None:
                result.rejected.append(refusal)
            else:
                result.signals.append(item)
        elif item.event_id not in refused:
            result.events.append(item)


def _unknown(document: Any) -> EventRejected:
    if isinstance(document, dict):
        keys = ", ".join(sorted(document)[:8])
        return EventRejected(
            Rejection.UNKNOWN_EVENT_TYPE, f"no parser recognises a JSON object with keys [{keys}]"
        )
    kind = type(document).__name__
    return EventRejected(
        Rejection.UNKNOWN_EVENT_TYPE, f"no parser recognises a top-level JSON {kind}"
    )
