"""The event pipeline: nothing is lost, and whatever a retry could fix is retried."""

from __future__ import annotations

import pytest

from costplane.adapters.local.plane import (
    CounterMetrics,
    LocalEnforcer,
    LocalInventory,
    LogNotifier,
)
from costplane.adapters.local.sqlite import SqliteRecords
from costplane.adapters.state_records import RecordStateStore
from costplane.domain.decisions import Decision, Outcome
from costplane.domain.errors import DeliveryFailed
from costplane.domain.events import Provider
from costplane.engine.pipeline import raise_for_retry
from costplane.engine.ports import ProviderPorts, ResourceRef
from costplane.tagging.service import TagEnforcer
from tests.support.stores import sqlite_state
from tests.support.tagging import FixedClock, make_event, make_taxonomy


class FlakyInventory(LocalInventory):
    def get_tags(self, ref: ResourceRef) -> dict[str, str]:
        raise TimeoutError("ThrottlingException: Rate exceeded")


class BrokenAuditLog(RecordStateStore):
    def append_decision(self, decision: Decision) -> None:
        raise OSError("disk full")


def _service(inventory: LocalInventory | None = None, state: RecordStateStore | None = None):
    inv = inventory or LocalInventory()
    ports = dict.fromkeys(Provider, ProviderPorts(inventory=inv, enforcer=LocalEnforcer(inv)))
    return TagEnforcer(
        make_taxonomy(),
        ports,
        state or sqlite_state(":memory:"),
        LogNotifier(),
        FixedClock(),
        CounterMetrics(),
    )


def test_rejected_payloads_are_audited() -> None:
    service = _service()
    [decision] = service.handle_payload(b"{broken")
    assert service.state.recent_decisions(5)[0].decision_id == decision.decision_id


def test_transient_inventory_error_is_retryable_and_releases_the_claim() -> None:
    service = _service(FlakyInventory())
    first = service.handle_event(make_event(tags=None))
    assert (first.outcome, first.retryable) == (Outcome.ERROR, True)
    with pytest.raises(DeliveryFailed, match="ThrottlingException"):
        raise_for_retry([first])
    assert service.handle_event(make_event(tags=None)).outcome is Outcome.ERROR


def test_audit_log_failure_releases_the_claim_so_the_retry_decides_again() -> None:
    records = SqliteRecords(":memory:")
    broken = BrokenAuditLog(records, records, FixedClock())
    service = _service(state=broken)
    with pytest.raises(OSError, match="disk full"):
        service.handle_event(make_event())
    assert broken.claim("tagging:aws:evt-1:i-0123456789abcdef0", 60)


def test_decisions_without_failures_are_not_retried() -> None:
    decision = _service().handle_event(make_event())
    assert raise_for_retry([decision]) == [decision]


class OverflowingEnforcer(TagEnforcer):
    def decide(self, event):
        raise OverflowError("date value out of range")


def test_an_event_decide_cannot_take_is_a_final_error_decision_not_a_retry() -> None:
    inv = LocalInventory()
    ports = dict.fromkeys(Provider, ProviderPorts(inventory=inv, enforcer=LocalEnforcer(inv)))
    state = sqlite_state(":memory:")
    service = OverflowingEnforcer(
        make_taxonomy(), ports, state, LogNotifier(), FixedClock(), CounterMetrics()
    )
    [decision] = service.process(make_event())
    assert (decision.outcome, decision.retryable) == (Outcome.ERROR, False)
    assert decision.reason == "cannot decide: OverflowError: date value out of range"
    assert raise_for_retry([decision]) == [decision]
    assert state.recent_decisions(1)[0].decision_id == decision.decision_id


class UnsupportedInventory(LocalInventory):
    def get_tags(self, ref: ResourceRef) -> dict[str, str]:
        raise ValueError(f"no adapter for {ref.resource_type}")


def test_a_resource_no_reader_can_read_is_a_final_error_not_a_retry() -> None:
    decision = _service(UnsupportedInventory()).handle_event(make_event(tags=None))
    assert (decision.outcome, decision.retryable) == (Outcome.ERROR, False)
    assert decision.reason == "cannot read tags: no adapter for aws.ec2.instance"
