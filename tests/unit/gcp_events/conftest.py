"""Real Cloud Audit Log entries from events/gcp, loaded fresh for each test so it may edit them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson
import pytest

import costplane.adapters.gcp.events  # noqa: F401  (registers the GCP envelopes)
from tests.conftest import EVENTS
from tests.support.placeholders import filled_bytes

GCP_EVENTS = EVENTS / "gcp"
INSTANCE_INSERT = "gcp-auditlog-compute-instances-insert-logentry.json"


@pytest.fixture
def gcp_payload() -> Callable[[str], Any]:
    def load(name: str) -> Any:
        return orjson.loads(filled_bytes(GCP_EVENTS / name))

    return load


@pytest.fixture
def instance_insert(gcp_payload: Callable[[str], Any]) -> Any:
    return gcp_payload(INSTANCE_INSERT)
