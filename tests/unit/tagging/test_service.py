"""The tag enforcer: acts once per delivery, audits every decision, and never loses one."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from costplane.adapters.local.plane import (
    CounterMetrics,
    LocalEnforcer,
    LocalInventory,
)
from costplane.adapters.state_records import RecordStateStore
from costplane.domain.decisions import ActionKind, ActionStatus, Decision, Outcome
from costplane.domain.events import Operation, Provider
from costplane.domain.taxonomy import Taxonomy
from costplane.engine.ports import ProviderPorts, ResourceRef
from costplane.tagging.service import TagEnforcer
from tests.support.stores import sqlite_state
from tests.support.tagging import FixedClock, local_tag_enforcer, make_event, make_taxonomy


class RecordingNotifier:
    def __init__(self) -> None:
        self.sent: list[Decision] = []

    def notify(self, decision: Decision) -> None:
        self.sent.append(decision)


class FailingStopEnforcer(LocalEnforcer):
    def stop(self, ref: ResourceRef) -> None:
        raise RuntimeError("UnauthorizedOperation")


def _enforcer(
    taxonomy: Taxonomy | None = None,
    inventory: Mapping[str, Mapping[str, str]] | None = None,
    enforcer_cls: type[LocalEnforcer] = LocalEnforcer,
) -> tuple[TagEnforcer, LocalEnforcer, RecordStateStore]:
    inv = LocalInventory(inventory)
    enforcer = enforcer_cls(inv)
    state = sqlite_state(":memory:")
    service = TagEnforcer(
        taxonomy or make_taxonomy(),
        dict.fromkeys(Provider, ProviderPorts(inventory=inv, enforcer=enforcer)),
        state,
        RecordingNotifier(),
        FixedClock(),
        CounterMetrics(),
    )
    return service, enforcer, state


STOP_NOW = {"mode": "enforce", "grace": "PT0S", "delay": "PT0S"}


def test_untagged_resource_is_a_violation_attributed_by_account() -> None:
    service, _, _ = _enforcer()
    decision = service.handle_event(make_event())
    assert decision.outcome is Outcome.VIOLATION
    assert decision.missing_tags == ["Team"]
    assert decision.owner.team == "platform"
    assert decision.owner.source == "account"


def test_owner_falls_back_to_the_actor_outside_mapped_accounts() -> None:
    service, _, _ = _enforcer()
    decision = service.handle_event(make_event(account="999999999999"))
    assert decision.owner.contact == "arn:aws:iam::123456789012:user/alice"
    assert decision.owner.source == "actor"


def test_enforce_mode_tags_and_stops_through_the_enforcer() -> None:
    service, enforcer, _ = _enforcer(make_taxonomy(enforcement=STOP_NOW))
    decision = service.handle_event(make_event())
    assert [(a.kind, a.status) for a in decision.actions] == [
        (ActionKind.TAG, ActionStatus.DONE),
        (ActionKind.NOTIFY, ActionStatus.DONE),
        (ActionKind.STOP, ActionStatus.DONE),
    ]
    assert enforcer.calls == [("tag", "i-0123456789abcdef0"), ("stop", "i-0123456789abcdef0")]


def test_dry_run_records_actions_without_calling_the_enforcer() -> None:
    dry = {**STOP_NOW, "mode": "dry-run"}
    service, enforcer, _ = _enforcer(make_taxonomy(enforcement=dry))
    decision = service.handle_event(make_event())
    assert {a.status for a in decision.actions} == {ActionStatus.DRY_RUN}
    assert decision.dry_run
    assert enforcer.calls == []


def test_same_delivery_twice_acts_once() -> None:
    service, enforcer, state = _enforcer(make_taxonomy(enforcement=STOP_NOW))
    first = service.handle_event(make_event())
    second = service.handle_event(make_event())
    assert first.outcome is Outcome.VIOLATION
    assert second.outcome is Outcome.SKIPPED
    assert "duplicate" in second.reason
    assert enforcer.calls.count(("stop", "i-0123456789abcdef0")) == 1
    assert len(state.recent_decisions(10)) == 1


def test_failed_action_is_audited_and_the_delivery_can_be_retried() -> None:
    taxonomy = make_taxonomy(enforcement=STOP_NOW)
    service, _, state = _enforcer(taxonomy, enforcer_cls=FailingStopEnforcer)
    decision = service.handle_event(make_event())
    stop = decision.actions[-1]
    assert (stop.status, stop.error) == (ActionStatus.FAILED, "RuntimeError: UnauthorizedOperation")
    assert state.recent_decisions(10)[0].decision_id == decision.decision_id
    assert service.handle_event(make_event()).outcome is Outcome.VIOLATION


def test_event_without_tags_is_decided_on_the_inventorys_tags() -> None:
    inventory = {"vm1": {"Team": "payments", "CostCenter": "CC-1234"}}
    service, _, _ = _enforcer(inventory=inventory)
    event = make_event(provider=Provider.AZURE, resource_id="vm1", tags=None, account="sub")
    decision = service.handle_event(event)
    assert decision.outcome is Outcome.COMPLIANT
    assert decision.owner.team == "payments"


def test_tag_operation_reads_the_full_tag_set_not_the_delta() -> None:
    inventory = {"i-0123456789abcdef0": {"Team": "payments", "CostCenter": "CC-1234"}}
    service, _, _ = _enforcer(inventory=inventory)
    event = make_event(operation=Operation.TAG, tags={"Team": "payments"})
    assert service.handle_event(event).outcome is Outcome.COMPLIANT


def test_resource_gone_before_the_read_is_skipped() -> None:
    service, _, _ = _enforcer()
    decision = service.handle_event(make_event(tags=None))
    assert (decision.outcome, decision.reason) == (Outcome.SKIPPED, "resource no longer exists")


def test_deletion_is_skipped_without_reading_the_resource() -> None:
    service, enforcer, _ = _enforcer()
    decision = service.handle_event(make_event(operation=Operation.DELETE, tags=None))
    assert decision.outcome is Outcome.SKIPPED
    assert enforcer.calls == []


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        (b"{not json", "rejected_malformed_json"),
        (b"", "rejected_empty_payload"),
        (b'{"hello": "world"}', "rejected_unknown_event_type"),
        (b'"x' + b"y" * 1_100_000 + b'"', "rejected_payload_too_large"),
    ],
)
def test_bad_payloads_are_errors_with_a_counted_reason(payload: bytes, code: str) -> None:
    service, enforcer, _ = _enforcer()
    [decision] = service.handle_payload(payload)
    assert decision.outcome is Outcome.ERROR
    assert decision.reason
    assert service.metrics.counts[code] == 1  # type: ignore[attr-defined]
    assert enforcer.calls == []


def test_a_violation_on_a_type_the_plane_can_tag_but_not_stop_says_so() -> None:
    class TagOnly(LocalEnforcer):
        def supports(self, kind: ActionKind, resource_type: str) -> bool:
            return kind is not ActionKind.STOP and super().supports(kind, resource_type)

    service = local_tag_enforcer(make_taxonomy(), TagOnly(LocalInventory()))

    decision = service.handle_event(make_event(resource_type="aws.kms.key"))

    assert decision.outcome is Outcome.VIOLATION
    assert "stop is not available on aws.kms.key (tag and notify only)" in decision.reason
