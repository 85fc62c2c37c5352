"""Real AWS payloads from events/aws, and the ones not copied from ../shared/data, loaded fresh.

A test reading one of those says so: `@pytest.mark.read_in_place("events/aws/<name>")`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

import costplane.adapters.aws.events  # noqa: F401  (registers the AWS envelopes)
from costplane.domain.events import ResourceEvent
from costplane.engine.envelopes import parse_document
from tests.conftest import EVENTS, in_place
from tests.support.placeholders import filled_bytes

AWS_EVENTS = EVENTS / "aws"
DOCUMENTED_BASE = "aws-cloudtrail-sagemaker-createendpoint-record.json"
DocumentedCall = Callable[[str, str, Any, Any], ResourceEvent]


def _path(name: str) -> Path:
    """events/aws first; payloads whose licence forbids copying are read from ../shared/data."""
    path = AWS_EVENTS / name
    return path if path.exists() else in_place(f"events/aws/{name}")


@pytest.fixture
def aws_bytes() -> Callable[[str], bytes]:
    return lambda name: _path(name).read_bytes()


@pytest.fixture
def aws_payload() -> Callable[[str], Any]:
    return lambda name: orjson.loads(filled_bytes(_path(name)))


@pytest.fixture
def documented_call(aws_payload: Callable[[str], Any]) -> DocumentedCall:
    """For calls with no public record to copy (events/aws/SOURCES.md): the real SageMaker
    CreateEndpoint record with its source, call, request and response replaced by the fields
    the API reference documents, parsed into its one event."""

    def call(source: str, name: str, request: Any, response: Any) -> ResourceEvent:
        record = aws_payload(DOCUMENTED_BASE) | {
            "eventSource": source,
            "eventName": name,
            "requestParameters": request,
            "responseElements": response,
        }
        parsed = parse_document(record)
        assert parsed.rejected == []
        [event] = parsed.events
        return event

    return call
