"""Warm decision latency: raw payload bytes → Decision, no cloud calls, over 10,000 real events.

Baseline, in the same run: `json.loads` plus full pydantic validation of the same payloads
(`JsonValue`, which checks every node): what a handler that validates the whole provider
document before looking at it would pay.
"""

from __future__ import annotations

import json
import time
from itertools import cycle, islice
from pathlib import Path
from typing import Any

from pydantic import JsonValue, TypeAdapter

from costplane import bootstrap
from costplane.adapters.local.plane import LocalEnforcer, LocalInventory, SystemClock
from costplane.config import Settings
from costplane.engine.envelopes import parse_payload
from costplane.planes.envelopes import register_every_cloud
from costplane.tagging.service import TagEnforcer
from tests.bench.report import Figure, show, summary
from tests.support.placeholders import filled_bytes
from tests.support.tagging import local_tag_enforcer

EVENTS = Path(__file__).resolve().parents[2] / "events"
N = 10_000


class _AnyTags(LocalInventory):
    """An in-memory inventory that knows every resource: the decision path makes no calls."""

    def get_tags(self, ref: Any) -> dict[str, str]:
        return {"Team": "platform", "CostCenter": "CC-1001", "Environment": "prod"}


def warm_enforcer() -> TagEnforcer:
    """The deployed taxonomy over an inventory that answers at once: the decision path alone."""
    return local_tag_enforcer(
        bootstrap.taxonomy(Settings()), LocalEnforcer(_AnyTags()), SystemClock()
    )


def decidable_payloads() -> list[bytes]:
    """The real bundled payloads that parse into at least one resource event, their
    documentation placeholders filled."""
    register_every_cloud()
    return [
        raw
        for path in sorted(EVENTS.glob("*/*.json"))
        if parse_payload(raw := filled_bytes(path)).events
    ]


def run() -> list[Figure]:
    payloads = decidable_payloads()
    enforcer = warm_enforcer()
    stream = list(islice(cycle(payloads), N))
    ours: list[float] = []
    for raw in stream:
        started = time.perf_counter()
        for event in parse_payload(raw).events:
            enforcer.decide(event)
        ours.append((time.perf_counter() - started) * 1000)
    validator: TypeAdapter[JsonValue] = TypeAdapter(JsonValue)
    base: list[float] = []
    for raw in stream:
        started = time.perf_counter()
        validator.validate_python(json.loads(raw))
        base.append((time.perf_counter() - started) * 1000)
    o, b = summary(ours), summary(base)
    figures = [
        Figure("decision p50", o["p50"], b["p50"], "ms", "≤ 0.2 ms", "json.loads + pydantic"),
        Figure("decision p99", o["p99"], b["p99"], "ms", "≤ 1 ms", "json.loads + pydantic"),
    ]
    show(f"Warm decisions over {N} real events ({len(payloads)} distinct payloads)", figures)
    return figures
