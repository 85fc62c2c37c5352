"""The policy runner: every policy against every event, in one function, acting once."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from costplane.domain.decisions import Decision
from costplane.domain.events import Operation, Provider, ResourceEvent
from costplane.domain.taxonomy import Mode
from costplane.pipeline import EventService
from costplane.policy.engine import PolicyEngine
from costplane.policy.facts import BudgetView, Facts
from costplane.ports import (
    Clock,
    Metrics,
    Notifier,
    ProviderPorts,
    StateStore,
)


class SpendFacts(Protocol):
    """What the budgets layer knows: a resource's priced run-rate and every budget's state."""

    def cost_per_hour(self, event: ResourceEvent) -> Decimal | None: ...

    def budget_views(self, now: datetime) -> Mapping[str, BudgetView]: ...


class NoSpendFacts:
    """For planes without budgets: spend conditions then never hold."""

    def cost_per_hour(self, event: ResourceEvent) -> Decimal | None:
        return None

    def budget_views(self, now: datetime) -> Mapping[str, BudgetView]:
        return {}


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
    ) -> None:
        super().__init__(ports, state, notifier, clock, metrics, source)
        self.engine = engine
        self.spend = spend or NoSpendFacts()

    @property
    def dry_run(self) -> bool:
        return all(p.mode is Mode.DRY_RUN for p in self.engine.policies)

    def decide(self, event: ResourceEvent) -> list[Decision]:
        tags = self.observed_tags(event)
        if isinstance(tags, Decision):
            return [tags]
        now = self.clock.now()
        facts = Facts(
            event=event,
            tags=tags,
            now=now,
            cost_per_hour=self.spend.cost_per_hour(event),
            budgets=self.spend.budget_views(now),
            created_at=event.event_time if event.operation is Operation.CREATE else None,
        )
        decisions = self.engine.evaluate(facts)
        for decision in decisions:
            decision.source = self.source
        return decisions
