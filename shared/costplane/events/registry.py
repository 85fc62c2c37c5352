"""A registry of envelope parsers: each recognises one provider envelope and yields ResourceEvents.

Adapters register parsers at import time; `parse_payload` tries them in registration order,
each deciding from one or two top-level keys, so dispatch costs microseconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson

from costplane.domain.errors import EventRejected
from costplane.domain.events import ResourceEvent

MAX_PAYLOAD_BYTES = 1_048_576

ParseResult = ResourceEvent | EventRejected
Matcher = Callable[[Any], bool]
Parser = Callable[[Any], Iterator[ParseResult]]


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


def registered_envelopes() -> list[str]:
    return [p.name for p in _PARSERS]


def decode(raw: bytes | str) -> Any:
    """Decode JSON with a size limit; raise EventRejected with a precise reason otherwise."""
    size = len(raw)
    if size > MAX_PAYLOAD_BYTES:
        raise EventRejected(
            "payload_too_large", f"payload is {size} bytes; the limit is {MAX_PAYLOAD_BYTES}"
        )
    if size == 0 or not raw.strip():
        raise EventRejected("empty_payload", "payload is empty")
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise EventRejected("malformed_json", f"payload is not valid JSON: {exc}") from exc


def parse_document(document: Any) -> ParsedPayload:
    """Route a decoded JSON document to the first parser that recognises it."""
    for parser in _PARSERS:
        if parser.matches(document):
            result = ParsedPayload(parser.name)
            try:
                for item in parser.parse(document):
                    if isinstance(item, EventRejected):
                        result.rejected.append(item)
                    else:
                        result.events.append(item)
            except EventRejected as exc:
                result.rejected.append(exc)
            return result
    return ParsedPayload(None, rejected=[_unknown(document)])


def parse_payload(raw: bytes | str) -> ParsedPayload:
    """Parse raw bytes into events; never raises on bad input, rejects it with a reason."""
    try:
        document = decode(raw)
    except EventRejected as exc:
        return ParsedPayload(None, rejected=[exc])
    return parse_document(document)


def _unknown(document: Any) -> EventRejected:
    if isinstance(document, dict):
        keys = ", ".join(sorted(document)[:8])
        return EventRejected(
            "unknown_event_type", f"no parser recognises a JSON object with keys [{keys}]"
        )
    kind = type(document).__name__
    return EventRejected("unknown_event_type", f"no parser recognises a top-level JSON {kind}")
