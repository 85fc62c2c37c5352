"""The tag enforcer: from a provider payload to decisions, actions and the audit log."""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping
from typing import Any

from costplane.actions.executor import execute
from costplane.domain.decisions import ActionKind, Decision, Outcome
from costplane.domain.errors import EventRejected
from costplane.domain.events import Operation, Provider, ResourceEvent
from costplane.domain.taxonomy import Mode, Taxonomy
from costplane.events.registry import ParsedPayload, parse_document, parse_payload
from costplane.ports import (
    Clock,
    Metrics,
    Notifier,
    ProviderPorts,
    ResourceGone,
    ResourceRef,
    StateStore,
)
from costplane.tagging.attribution import attribute
from costplane.tagging.check import TagChecker
from costplane.tagging.plan import plan_actions

POLICY = "tagging"
CLAIM_TTL_SECONDS = 7 * 24 * 3600


class TagEnforcer:
    """Checks mandatory tags, attributes the owner and enforces, once per delivered event."""

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
        self.taxonomy = taxonomy
        self.checker = TagChecker(taxonomy)
        self.ports = ports
        self.state = state
        self.notifier = notifier
        self.clock = clock
        self.metrics = metrics
        self.source = source
        self._supports: dict[tuple[Provider, str], set[ActionKind]] = {}

    def handle_payload(self, raw: bytes | str) -> list[Decision]:
        return self._handle(parse_payload(raw))

    def handle_document(self, document: Any) -> list[Decision]:
        return self._handle(parse_document(document))

    def _handle(self, parsed: ParsedPayload) -> list[Decision]:
        decisions = [self.rejected(exc) for exc in parsed.rejected]
        decisions.extend(self.handle_event(event) for event in parsed.events)
        return decisions

    def handle_event(self, event: ResourceEvent) -> Decision:
        """Decide, act once, and append the decision to the audit log whatever happens."""
        if not self.state.claim(event.idempotency_key, CLAIM_TTL_SECONDS):
            self.metrics.count("duplicate_event")
            return self._base(event, Outcome.SKIPPED, f"duplicate delivery of {event.event_id}")
        try:
            decision = self.decide(event)
            if decision.actions:
                ports = self.ports[event.provider]
                if not execute(decision, ResourceRef.of(event), ports.enforcer, self.notifier):
                    self.metrics.count("action_failed")
                    self.state.release(event.idempotency_key)
        except Exception:
            self.state.release(event.idempotency_key)
            raise
        self.state.append_decision(decision)
        self.metrics.count(f"decision_{decision.outcome.value}")
        return decision

    def decide(self, event: ResourceEvent) -> Decision:
        """Check and plan; reads the resource only when the event does not carry its tags."""
        started = time.perf_counter()
        decision = self._decide(event)
        decision.decide_ms = (time.perf_counter() - started) * 1000
        return decision

    def _decide(self, event: ResourceEvent) -> Decision:
        if event.operation is Operation.DELETE:
            return self._base(event, Outcome.SKIPPED, "resource deleted; nothing to govern")
        ports = self.ports.get(event.provider)
        if ports is None:
            return self._base(event, Outcome.ERROR, f"no adapters wired for {event.provider}")
        tags = event.tags
        if tags is None or event.operation is Operation.TAG:
            try:
                tags = ports.inventory.get_tags(ResourceRef.of(event))
            except ResourceGone:
                return self._base(event, Outcome.SKIPPED, "resource no longer exists")
            except Exception as exc:
                self.metrics.count("inventory_failed")
                return self._base(event, Outcome.ERROR, f"cannot read tags: {exc}")
        now = self.clock.now()
        check = self.checker.check(event, tags, now.date())
        decision = self._base(event, Outcome.COMPLIANT, "")
        decision.tags = check.resolved
        decision.owner = attribute(self.taxonomy, event, check)
        decision.missing_tags = [k for k in check.missing if k not in check.inherited]
        decision.invalid_tags = check.invalid
        decision.actions = plan_actions(
            event, check, self.taxonomy.enforcement, now, self._supported(event, ports)
        )
        if check.exemption is not None:
            decision.reason = f"exempt until {check.exemption.expires}: {check.exemption.reason}"
        elif decision.missing_tags or decision.invalid_tags:
            decision.outcome = Outcome.VIOLATION
            decision.reason = _violation_reason(decision)
        elif check.inherited:
            decision.reason = "compliant with inherited tags"
        return decision

    def _supported(self, event: ResourceEvent, ports: ProviderPorts) -> set[ActionKind]:
        key = (event.provider, event.resource_type)
        if key not in self._supports:
            self._supports[key] = {
                kind for kind in ActionKind if ports.enforcer.supports(kind, event.resource_type)
            }
        return self._supports[key]

    def _base(self, event: ResourceEvent, outcome: Outcome, reason: str) -> Decision:
        return Decision(
            decision_id=uuid.uuid4().hex,
            policy=POLICY,
            provider=event.provider.value,
            event_id=event.event_id,
            event_name=event.event_name,
            account=event.account,
            region=event.region,
            resource_id=event.resource_id,
            resource_type=event.resource_type,
            operation=event.operation.value,
            actor=event.actor,
            outcome=outcome,
            reason=reason,
            dry_run=self.taxonomy.enforcement.mode is Mode.DRY_RUN,
            source=self.source,
            event_time=event.event_time,
            decided_at=self.clock.now(),
        )

    def rejected(self, exc: EventRejected) -> Decision:
        """The decision recorded for a payload we will not act on."""
        self.metrics.count(f"rejected_{exc.code}")
        return Decision(
            decision_id=uuid.uuid4().hex,
            policy=POLICY,
            provider=exc.provider,
            event_id=exc.event_id,
            event_name=exc.event_name,
            outcome=Outcome.SKIPPED if exc.skipped else Outcome.ERROR,
            reason=exc.reason,
            dry_run=self.taxonomy.enforcement.mode is Mode.DRY_RUN,
            source=self.source,
            decided_at=self.clock.now(),
        )


def _violation_reason(decision: Decision) -> str:
    parts = []
    if decision.missing_tags:
        parts.append("missing " + ", ".join(decision.missing_tags))
    parts.extend(f"{key}: {problem}" for key, problem in decision.invalid_tags.items())
    return "; ".join(parts)
