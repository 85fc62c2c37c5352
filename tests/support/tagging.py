"""Builders for tagging specifications: an event, a taxonomy, a clock that stands still, and a
tag enforcer on the local plane."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from costplane.adapters.local.plane import CounterMetrics, LocalEnforcer, LogNotifier
from costplane.domain.events import Operation, Provider, ResourceEvent
from costplane.domain.taxonomy import Mode, Taxonomy, ViolationAction
from costplane.engine.ports import Clock, ProviderPorts
from costplane.tagging.service import TagEnforcer
from tests.support.stores import sqlite_state

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


class FixedClock:
    def __init__(self, now: datetime = NOW) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current


def make_event(**overrides: Any) -> ResourceEvent:
    fields: dict[str, Any] = {
        "provider": Provider.AWS,
        "event_id": "evt-1",
        "event_name": "RunInstances",
        "event_time": NOW - timedelta(minutes=1),
        "account": "123456789012",
        "region": "us-east-1",
        "resource_id": "i-0123456789abcdef0",
        "resource_type": "aws.ec2.instance",
        "operation": Operation.CREATE,
        "actor": "arn:aws:iam::123456789012:user/alice",
        "tags": {},
    }
    fields.update(overrides)
    return ResourceEvent(**fields)


TAXONOMY: dict[str, Any] = {
    "keys": [
        {"key": "CostCenter", "aliases": ["cc"], "pattern": "^CC-[0-9]{4}$"},
        {"key": "Team", "allowed": ["payments", "platform"]},
        {"key": "Product", "required": False},
        {"key": "DataClassification", "allowed": ["internal"], "applies_to": ["aws.s3.*"]},
    ],
    "defaults": [{"scope": {"account": "123456789012"}, "tags": {"cost-center": "CC-1001"}}],
    "owners": [{"scope": {"account": "123456789012"}, "team": "platform"}],
    "enforcement": {"mode": "enforce", "grace": "PT15M", "delay": "PT24H"},
}


def make_taxonomy(**overrides: Any) -> Taxonomy:
    document = {**TAXONOMY, **overrides}
    return Taxonomy.model_validate(document)


def enforcing_at_once(taxonomy: Taxonomy) -> Taxonomy:
    """`taxonomy` in enforce mode, stopping a violation with no grace period and no delay."""
    enforcement = taxonomy.enforcement.model_copy(
        update={
            "mode": Mode.ENFORCE,
            "on_violation": ViolationAction.STOP,
            "grace": timedelta(0),
            "delay": timedelta(0),
        }
    )
    return taxonomy.model_copy(update={"enforcement": enforcement})


def local_tag_enforcer(
    taxonomy: Taxonomy, enforcer: LocalEnforcer, clock: Clock | None = None
) -> TagEnforcer:
    """Every provider on one local plane, audited in memory: decisions with no cloud calls, for
    specifications and benchmarks alike."""
    ports = ProviderPorts(inventory=enforcer.inventory, enforcer=enforcer)
    return TagEnforcer(
        taxonomy,
        dict.fromkeys(Provider, ports),
        sqlite_state(":memory:"),
        LogNotifier(),
        clock or FixedClock(),
        CounterMetrics(),
    )
