"""The policy runner: every policy against every event, in one function, acting once."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from costplane.domain.budgets import BudgetView
from costplane.domain.decisions import ActionKind, Decision, Outcome
from costplane.domain.events import Operation, Provider, ResourceEvent
from costplane.domain.signals import BudgetSignal
from costplane.domain.taxonomy import Mode
from costplane.engine.attribution import Attribution
from costplane.engine.executor import NOTIFYING
from costplane.engine.pipeline import EventService
from costplane.engine.ports import (
    Approvals,
    Clock,
    Metrics,
    Notifier,
    ProviderPorts,
    StateStore,
)
from costplane.policy.engine import PolicyEngine
from costplane.policy.facts import Facts


class SpendFacts(Protocol):
    """What the budgets layer knows and learns: run-rates, budget states, cloud signals."""

    def cost_per_hour(self, event: ResourceEvent) -> Decimal | None: ...

    def budget_views(self, now: datetime) -> Mapping[str, BudgetView]: ...

    def observe(self, event: ResourceEvent, tags: Mapping[str, str] | None = None) -> object:
        """Move the live run-rate: a resource was created, started, stopped or deleted."""
        ...

    def apply_signal(self, signal: BudgetSignal, now: datetime) -> list[str]:
        """Take a cloud budget notification's figures; the budgets it updated."""
        ...


class NoSpendFacts:
    """For planes without budgets: spend conditions then never hold."""

    def cost_per_hour(self, event: ResourceEvent) -> Decimal | None:
        return None

    def budget_views(self, now: datetime) -> Mapping[str, BudgetView]:
        return {}

    def observe(self, event: ResourceEvent, tags: Mapping[str, str] | None = None) -> object:
        return None

    def apply_signal(self, signal: BudgetSignal, now: datetime) -> list[str]:
        return []


class PolicyRunner(EventService):
    name = "policy"

    def __init__(
        self,
        engine: PolicyEngine,
        ports: Mapping[Provider, ProviderPorts],
        state: StateStore,
        notifier: Notifier,
        clock: Clock,
        metrics: Metrics,
        spend: SpendFacts | None = None,
        source: str = "local",
        approvals: Approvals | None = None,
        *,
        attribution: Attribution,
    ) -> None:
        super().__init__(ports, state, notifier, clock, metrics, source, approvals)
        self.engine = engine
        self.spend = spend or NoSpendFacts()
        self.attribution = attribution

    @property
    def dry_run(self) -> bool:
        return all(p.mode is Mode.DRY_RUN for p in self.engine.policies)

    def take_signal(self, signal: BudgetSignal) -> Decision:
        """Audit a budget signal as a decision: which budgets it moved."""
        now = self.clock.now()
        updated = self.spend.apply_signal(signal, now)
        self.metrics.count("budget_signal")
        decision = Decision(
            decision_id=os.urandom(16).hex(),
            policy="budget-signal",
            provider=signal.provider.value,
            event_id=signal.signal_id,
            event_name="budget",
            account=signal.scope,
            outcome=Outcome.COMPLIANT if updated else Outcome.SKIPPED,
            reason=(
                f"{signal.budget}: {signal.basis} {signal.spent} of {signal.amount} "
                f"{signal.currency}; updated {', '.join(updated)}"
                if updated
                else f"{signal.budget}: no configured budget takes this signal"
            ),
            dry_run=self.dry_run,
            source=self.source,
            decided_at=now,
        )
        self.state.append_decision(decision)
        return decision

    def decide(self, event: ResourceEvent) -> list[Decision]:
        tags = self.observed_tags(event)
        if isinstance(tags, Decision):
            self.spend.observe(event)
            return [tags]
        self.spend.observe(event, tags)
        now = self.clock.now()
        facts = Facts(
            event=event,
            tags=tags,
            now=now,
            cost_per_hour=self.spend.cost_per_hour(event),
            budgets=self.spend.budget_views(now),
            created_at=event.event_time if event.operation is Operation.CREATE else None,
            owner=self.attribution.owner(event, tags),
        )
        decisions = self.engine.evaluate(facts)
        for decision in decisions:
            decision.source = self.source
            self._drop_unsupported(event, decision)
        return decisions

    def _drop_unsupported(self, event: ResourceEvent, decision: Decision) -> None:
        """A budget's scope spans resource types: an action this resource's provider cannot
        carry out (throttle an instance) is left out and named, not attempted and retried."""
        ports = self.ports.get(event.provider)
        if ports is None or not decision.actions:
            return
        kept = []
        for action in decision.actions:
            kind = (
                ActionKind(action.params["op"])
                if action.kind is ActionKind.MARK_FOR_OP
                else action.kind
            )
            if kind in NOTIFYING or ports.enforcer.supports(kind, event.resource_type):
                kept.append(action)
        dropped = [a.kind.value for a in decision.actions if a not in kept]
        if dropped:
            decision.actions = kept
            decision.reason += f"; not possible on {event.resource_type}: {', '.join(dropped)}"
