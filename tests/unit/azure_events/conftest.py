"""Real Event Grid payloads from events/azure, loaded fresh for each test so tests may edit them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import pytest

import costplane.adapters.azure.events  # noqa: F401  (registers the Azure envelopes)
from tests.conftest import EVENTS
from tests.support.placeholders import filled_bytes

AZURE_EVENTS = EVENTS / "azure"


@pytest.fixture
def azure_payload() -> Callable[[str], Any]:
    def load(name: str) -> Any:
        return orjson.loads(filled_bytes(AZURE_EVENTS / name))

    return load


@pytest.fixture
def write_event(azure_payload: Callable[[str], Any]) -> Any:
    [event] = azure_payload("azure-eventgrid-resourcegroup-resourcewritesuccess.json")
    return event


@pytest.fixture
def delete_event(azure_payload: Callable[[str], Any]) -> Any:
    [event] = azure_payload("azure-eventgrid-resourcegroup-resourcedeletesuccess.json")
    return event


@pytest.fixture
def action_event(azure_payload: Callable[[str], Any]) -> Any:
    [event] = azure_payload("azure-eventgrid-resourcegroup-resourceactionsuccess.json")
    return event
