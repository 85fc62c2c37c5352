"""The tag enforcer: checks mandatory tags, attributes the owner and plans enforcement."""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import datetime

from costplane.domain.decisions import Action, ActionKind, ActionStatus, Decision, Outcome
from costplane.domain.events import Provider, ResourceEvent
from costplane.domain.taxonomy import Mode, Taxonomy
from costplane.engine.attribution import Attribution
from costplane.engine.executor import NOTIFYING, execute
from costplane.engine.pipeline import CLAIM_TTL_SECONDS, EventService
from costplane.engine.ports import (
    Clock,
    Metrics,
    Notifier,
    ProviderPorts,
    ResourceRef,
    StateStore,
)
from costplane.tagging.check import TagChecker
from costplane.tagging.plan import plan_actions


class TagEnforcer(EventService):
    """One decision per resource event, from the event's tags or, failing that, the inventory's."""

    name = "tagging"

    def __init__(
        self,
        taxonomy: Taxonomy,
        ports: Mapping[Provider, ProviderPorts],
        state: StateStore,
        notifier: Notifier,
        clock: Clock,
        metrics: Metrics,
        source: str = "local",
    ) -> None:
        super().__init__(ports, state, notifier, clock, metrics, source)
        self.taxonomy = taxonomy
        self.checker = TagChecker(taxonomy)
        self.attribution = Attribution(taxonomy, self.checker.resolver)
        self._supports: dict[tuple[Provider, str], set[ActionKind]] = {}

    @property
    def dry_run(self) -> bool:
        return self.taxonomy.enforcement.mode is Mode.DRY_RUN

    def handle_event(self, event: ResourceEvent) -> Decision:
        """Decide, act once and audit; the one decision this service makes per event."""
        return self.process(event)[0]

    def decide(self, event: ResourceEvent) -> list[Decision]:
        started = time.perf_counter()
        decision = self._decide(event)
        decision.decide_ms = (time.perf_counter() - started) * 1000
        return [decision]

    def preview(self, event: ResourceEvent, now: datetime) -> Decision:
        """What deciding `event` at `now` would plan; nothing is claimed, done or audited."""
        return self._decide(event, now)

    def _decide(self, event: ResourceEvent, now: datetime | None = None) -> Decision:
        tags = self.observed_tags(event)
        if isinstance(tags, Decision):
            return tags
        now = now or self.clock.now()
        check = self.checker.check(event, tags, now.date())
        decision = self.decision(event, Outcome.COMPLIANT, "")
        decision.tags = check.resolved
        observed = {k: v for k, v in check.resolved.items() if k not in check.inherited}
        decision.owner = self.attribution.owner_of(event, observed, check.inherited)
        decision.missing_tags = [k for k in check.missing if k not in check.inherited]
        decision.invalid_tags = check.invalid
        decision.actions = plan_actions(
            event, check, self.taxonomy.enforcement, now, self._supported(event)
        )
        if check.exemption is not None:
            decision.reason = f"exempt until {check.exemption.expires}: {check.exemption.reason}"
        elif decision.missing_tags or decision.invalid_tags:
            decision.outcome = Outcome.VIOLATION
            decision.reason = _violation_reason(decision) + self._unavailable(event)
        elif check.inherited:
            decision.reason = "compliant with inherited tags"
        return decision

    def _unavailable(self, event: ResourceEvent) -> str:
        """Why the violation's action will not be taken: the plane can tag this type but not
        stop (or quarantine) it."""
        op = self.taxonomy.enforcement.on_violation.kind
        if op in NOTIFYING or op in self._supported(event):
            return ""
        return f"; {op.value} is not available on {event.resource_type} (tag and notify only)"

    def _act(self, event: ResourceEvent, decision: Decision) -> None:
        """Carry out a due mark once, whether a sweep or an event found it: the operation claims
        the mark, gives the claim back if it failed (the next sweep retries), and clears the
        mark once it ran, so that no later sweep runs it again."""
        carrying = next((a for a in decision.actions if "mark" in a.params), None)
        if carrying is None or decision.dry_run:
            super()._act(event, decision)
            return
        key = f"{self.name}:mark:{event.provider}:{event.resource_id}:{carrying.params['mark']}"
        if not self.state.claim(key, CLAIM_TTL_SECONDS):
            decision.actions.remove(carrying)
            decision.reason = f"{decision.reason}; mark already carried out".lstrip("; ")
            self.metrics.count("mark_already_carried_out")
            super()._act(event, decision)
            return
        super()._act(event, decision)
        if carrying.status is ActionStatus.FAILED:
            self.state.release(key)
        elif carrying.status in (ActionStatus.DONE, ActionStatus.NOT_TAKEN):
            self._clear_mark(event, decision)

    def _clear_mark(self, event: ResourceEvent, decision: Decision) -> None:
        clear = Action(kind=ActionKind.UNTAG, params={"keys": [self.taxonomy.enforcement.mark_tag]})
        decision.actions.append(clear)
        alone = decision.model_copy(update={"actions": [clear]})
        ref = ResourceRef.of(event)
        if not execute(alone, ref, self.ports[event.provider].enforcer, self.notifier):
            self.metrics.count("action_failed")

    def _supported(self, event: ResourceEvent) -> set[ActionKind]:
        key = (event.provider, event.resource_type)
        if key not in self._supports:
            enforcer = self.ports[event.provider].enforcer
            self._supports[key] = {
                kind for kind in ActionKind if enforcer.supports(kind, event.resource_type)
            }
        return self._supports[key]


def _violation_reason(decision: Decision) -> str:
    parts = []
    if decision.missing_tags:
        parts.append("missing " + ", ".join(decision.missing_tags))
    parts.extend(f"{key}: {problem}" for key, problem in decision.invalid_tags.items())
    return "; ".join(parts)
