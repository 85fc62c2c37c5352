"""The policy runner gathers facts once per event and runs every policy through the pipeline."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from costplane.adapters.local.plane import (
    CounterMetrics,
    LocalEnforcer,
    LocalInventory,
    LogNotifier,
)
from costplane.bootstrap import EXAMPLE_TAXONOMY
from costplane.domain.budgets import BudgetView
from costplane.domain.decisions import ActionKind, ActionStatus, Outcome
from costplane.domain.events import Operation, Provider, ResourceEvent
from costplane.domain.signals import BudgetSignal
from costplane.engine.attribution import Attribution
from costplane.engine.ports import ProviderPorts
from costplane.planes.envelopes import register_every_cloud
from costplane.policy.engine import PolicyEngine, compile_policies
from costplane.policy.loader import load_policy_document
from costplane.policy.service import PolicyRunner
from costplane.tagging.loader import load_taxonomy
from tests.conftest import EVENTS
from tests.support.stores import sqlite_state
from tests.support.tagging import NOW, FixedClock, make_event


class Spend:
    def __init__(self) -> None:
        self.observed: list[str] = []
        self.signals: list[BudgetSignal] = []

    def cost_per_hour(self, event: ResourceEvent) -> Decimal | None:
        return Decimal("12.50")

    def budget_views(self, now: datetime) -> Mapping[str, BudgetView]:
        return {"ml": BudgetView("ml", Decimal(100), Decimal(90), Decimal(130), "USD")}

    def observe(self, event: ResourceEvent, tags: Mapping[str, str] | None = None) -> object:
        self.observed.append(event.resource_id)
        return None

    def apply_signal(self, signal: BudgetSignal, now: datetime) -> list[str]:
        self.signals.append(signal)
        return ["ml"]


def _runner(*policies: dict[str, Any], inventory: dict[str, dict[str, str]] | None = None):
    engine = PolicyEngine(
        compile_policies(load_policy_document({"version": 1, "policies": list(policies)}, "t"))
    )
    inv = LocalInventory(inventory)
    enforcer = LocalEnforcer(inv)
    ports = dict.fromkeys(Provider, ProviderPorts(inventory=inv, enforcer=enforcer))
    runner = PolicyRunner(
        engine,
        ports,
        sqlite_state(":memory:"),
        LogNotifier(),
        FixedClock(),
        CounterMetrics(),
        spend=Spend(),
        attribution=Attribution(load_taxonomy(EXAMPLE_TAXONOMY)),
    )
    return runner, enforcer


DEAR = {
    "name": "dear",
    "conditions": [{"type": "cost-rate", "above": 10}],
    "actions": [{"type": "suspend"}],
    "mode": "enforce",
    "grace": "PT15M",
}


def test_spend_facts_reach_the_conditions() -> None:
    runner, _ = _runner(DEAR)
    [decision] = runner.process(make_event(event_time=NOW - timedelta(hours=2)))
    assert decision.reason == "costs 12.50/h, above 10/h"


def test_create_event_within_grace_is_marked_not_suspended() -> None:
    runner, enforcer = _runner(DEAR)
    [decision] = runner.process(make_event(event_time=NOW - timedelta(minutes=1)))
    assert [a.kind for a in decision.actions] == [ActionKind.MARK_FOR_OP]
    assert decision.actions[0].status is ActionStatus.DONE
    assert enforcer.calls == [("tag", "i-0123456789abcdef0")]


def test_budget_views_reach_the_conditions() -> None:
    policy = {
        "name": "guard",
        "conditions": [{"type": "budget-threshold", "budget": "ml", "percent": 120}],
        "actions": [{"type": "notify"}],
    }
    runner, _ = _runner(policy)
    [decision] = runner.process(make_event())
    assert decision.outcome is Outcome.VIOLATION
    assert decision.dry_run


def test_events_without_tags_are_decided_on_inventory_tags() -> None:
    policy = {
        "name": "untagged",
        "conditions": [{"type": "tag-missing", "keys": ["Team"]}],
        "actions": [{"type": "notify"}],
    }
    runner, _ = _runner(policy, inventory={"vm": {"team": "payments"}})
    event = make_event(provider=Provider.AZURE, resource_id="vm", tags=None, account="s")
    assert runner.process(event)[0].policy == "*"


def test_same_event_twice_acts_once() -> None:
    tag = {**DEAR, "actions": [{"type": "tag", "tags": {"reviewed": "no"}}]}
    runner, enforcer = _runner(tag)
    event = make_event(operation=Operation.STATE)
    runner.process(event)
    [again] = runner.process(event)
    assert again.outcome is Outcome.SKIPPED
    assert enforcer.calls == [("tag", "i-0123456789abcdef0")]


def test_every_event_moves_the_live_run_rate() -> None:
    runner, _ = _runner(DEAR)
    runner.process(make_event(event_time=NOW - timedelta(hours=2)))
    assert runner.spend.observed == ["i-0123456789abcdef0"]  # type: ignore[attr-defined]


def test_cloud_budget_notification_updates_budgets_and_is_audited() -> None:
    register_every_cloud()
    runner, enforcer = _runner(DEAR)
    payload = (EVENTS / "gcp" / "gcp-billing-budget-notification-message-data.json").read_bytes()
    [decision] = runner.handle_payload(payload)
    assert decision.policy == "budget-signal"
    assert decision.outcome is Outcome.COMPLIANT
    assert [s.provider for s in runner.spend.signals] == [Provider.GCP]  # type: ignore[attr-defined]
    assert runner.state.recent_decisions(1)[0].decision_id == decision.decision_id
    assert enforcer.calls == []
