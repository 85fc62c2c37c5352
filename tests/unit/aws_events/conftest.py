"""Real AWS payloads from events/aws (and ../shared/data for the ones not copied), loaded fresh."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
import pytest

import costplane.adapters.aws.events  # noqa: F401  (registers the AWS envelopes)
from tests.conftest import EVENTS, SHARED_DATA

AWS_EVENTS = EVENTS / "aws"
SHARED_AWS_EVENTS = SHARED_DATA / "events" / "aws"


def _path(name: str) -> Path:
    """events/aws first; payloads whose license forbids copying are read from ../shared/data."""
    path = AWS_EVENTS / name
    if path.exists():
        return path
    shared = SHARED_AWS_EVENTS / name
    if not shared.exists():
        pytest.skip(f"{name} is not in events/aws and ../shared/data is absent")
    return shared


@pytest.fixture
def aws_bytes() -> Callable[[str], bytes]:
    return lambda name: _path(name).read_bytes()


@pytest.fixture
def aws_payload() -> Callable[[str], Any]:
    return lambda name: orjson.loads(_path(name).read_bytes())
