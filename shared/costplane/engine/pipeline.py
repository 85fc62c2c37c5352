"""From provider payload to audited decisions: the mechanics every event-driven service shares.

A service says how it decides about one event; the pipeline parses payloads, rejects bad
ones with a counted reason, claims each event once (so a duplicated delivery acts once),
carries out the planned actions through the provider's ports, and appends every decision to
the audit log, rejections and failed actions included. A failed action or a transient error
releases the claim, so that the platform's retry acts again; so does a failure to write the
audit log, so that no decision is lost. An event that `decide` cannot take at all (an error
that a redelivery would meet again: arithmetic, recursion, a value it cannot read) is an
`error` decision, final and audited, so one bad event never becomes a poison message.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Mapping
from typing import Any

from costplane.domain.decisions import ActionStatus, Decision, Outcome
from costplane.domain.errors import DeliveryFailed, EventRejected, Rejection
from costplane.domain.events import Operation, Provider, ResourceEvent
from costplane.domain.signals import BudgetSignal
from costplane.engine.envelopes import ParsedPayload, parse_document, parse_payload
from costplane.engine.executor import execute
from costplane.engine.ports import (
    Approvals,
    Clock,
    Metrics,
    Notifier,
    ProviderPorts,
    ResourceGone,
    ResourceRef,
    StateStore,
)

CLAIM_TTL_SECONDS = 7 * 24 * 3600
CREATION_WINDOW_SECONDS = 6 * 3600
"""A resource's creation is decided once however many routes report it (CloudTrail, AWS Config,
Cloud Asset Inventory): the first report within this window decides, later ones are skipped.
A resource deleted and created again under the same id within it is skipped too."""

UNDECIDABLE = (ArithmeticError, RecursionError, LookupError, TypeError, ValueError)
"""Errors of the event, not of the moment: delivering it again would raise them again."""


_BUDGET_ALERTS = {
    Provider.AWS: "an AWS Budgets alert",
    Provider.AZURE: "an Azure budget notification",
    Provider.GCP: "a GCP budget notification",
}


def needs_retry(decisions: list[Decision]) -> bool:
    """Whether delivering these decisions' event again would help (without saying why)."""
    return any(
        d.retryable or any(a.status is ActionStatus.FAILED for a in d.actions) for d in decisions
    )


def retry_reasons(decisions: list[Decision]) -> list[str]:
    """Why delivering these decisions' event again would help: failed actions, transient errors."""
    reasons = [
        f"{d.resource_id}: {a.kind.value} failed: {a.error}"
        for d in decisions
        for a in d.actions
        if a.status is ActionStatus.FAILED
    ]
    reasons.extend(f"{d.resource_id}: {d.reason}" for d in decisions if d.retryable)
    return reasons


def raise_for_retry(decisions: list[Decision]) -> list[Decision]:
    """Return the decisions, or raise DeliveryFailed when the event should be delivered again."""
    if needs_retry(decisions):
        raise DeliveryFailed("; ".join(retry_reasons(decisions)))
    return decisions


class EventService(ABC):
    """Subclasses implement `decide`; everything around a decision lives here."""

    name: str

    def __init__(
        self,
        ports: Mapping[Provider, ProviderPorts],
        state: StateStore,
        notifier: Notifier,
        clock: Clock,
        metrics: Metrics,
        source: str = "local",
        approvals: Approvals | None = None,
    ) -> None:
        self.ports = ports
        self.state = state
        self.notifier = notifier
        self.clock = clock
        self.metrics = metrics
        self.source = source
        self.approvals = approvals

    @abstractmethod
    def decide(self, event: ResourceEvent) -> list[Decision]:
        """Decisions about one event, with their planned actions; no action is taken here."""

    @property
    @abstractmethod
    def dry_run(self) -> bool:
        """Whether decisions that are not a policy's own are recorded as dry runs."""

    def handle_payload(self, raw: bytes | str) -> list[Decision]:
        return self._handle(parse_payload(raw))

    def handle_document(self, document: Any) -> list[Decision]:
        return self._handle(parse_document(document))

    def _handle(self, parsed: ParsedPayload) -> list[Decision]:
        decisions = [self.rejected(exc) for exc in parsed.rejected]
        for decision in decisions:
            self.state.append_decision(decision)
        for event in parsed.events:
            decisions.extend(self.process(event))
        for signal in parsed.signals:
            decisions.append(self.take_signal(signal))
        return decisions

    def take_signal(self, signal: BudgetSignal) -> Decision:
        """A cloud budget notification; services that keep budgets override this."""
        decision = self.rejected(
            EventRejected(
                Rejection.NOT_A_RESOURCE_EVENT,
                f"{_BUDGET_ALERTS[signal.provider]} ({signal.budget!r}) is not a resource event",
                skipped=True,
                provider=signal.provider.value,
                event_id=signal.signal_id,
                event_name="budget",
            )
        )
        self.state.append_decision(decision)
        return decision

    def process(self, event: ResourceEvent) -> list[Decision]:
        """Decide, act once, and audit every decision whatever happens."""
        key = f"{self.name}:{event.idempotency_key}"
        if not self.state.claim(key, CLAIM_TTL_SECONDS):
            self.metrics.count("duplicate_event")
            reason = f"duplicate delivery of {event.event_id}"
            return [self.decision(event, Outcome.SKIPPED, reason)]
        keys = [key]
        if event.operation is Operation.CREATE:
            created = f"{self.name}:{event.provider}:created:{event.resource_id}"
            if not self.state.claim(created, CREATION_WINDOW_SECONDS):
                self.metrics.count("duplicate_event")
                reason = f"the creation of {event.resource_id} was already decided"
                return [self.decision(event, Outcome.SKIPPED, reason)]
            keys.append(created)
        try:
            decisions = self._decide_once(event)
            for decision in decisions:
                self._act(event, decision)
            for decision in decisions:
                self.state.append_decision(decision)
        except Exception:
            self._release(keys)
            raise
        if needs_retry(decisions):
            self.metrics.count("delivery_retryable")
            self._release(keys)
        for decision in decisions:
            self.metrics.count(f"decision_{decision.outcome.value}")
        return decisions

    def _release(self, keys: list[str]) -> None:
        for key in keys:
            self.state.release(key)

    def _decide_once(self, event: ResourceEvent) -> list[Decision]:
        try:
            return self.decide(event)
        except UNDECIDABLE as exc:
            self.metrics.count("undecidable_event")
            reason = f"cannot decide: {type(exc).__name__}: {str(exc)[:200]}"
            return [self.decision(event, Outcome.ERROR, reason)]

    def _act(self, event: ResourceEvent, decision: Decision) -> None:
        if decision.actions:
            ports = self.ports[event.provider]
            ref = ResourceRef.of(event)
            if not execute(decision, ref, ports.enforcer, self.notifier, self.approvals):
                self.metrics.count("action_failed")
            for action in decision.actions:
                if action.status is ActionStatus.NOT_TAKEN:
                    self.metrics.count("action_not_taken")

    def observed_tags(self, event: ResourceEvent) -> dict[str, str] | Decision:
        """The resource's full tag set, or the decision that says why there is nothing to decide.

        Tag operations carry only what changed, and some events carry no tags at all: then
        the provider's inventory is read. Deleted resources are not governed. A read that
        fails on the resource itself (no reader for its type, an id its API cannot take) is
        final; any other failure may pass, so the delivery is retried.
        """
        if event.operation is Operation.DELETE:
            return self.decision(event, Outcome.SKIPPED, "resource deleted; nothing to govern")
        if event.tags is not None and event.operation is not Operation.TAG:
            return event.tags
        ports = self.ports.get(event.provider)
        if ports is None:
            return self.decision(event, Outcome.ERROR, f"no adapters wired for {event.provider}")
        try:
            return ports.inventory.get_tags(ResourceRef.of(event))
        except ResourceGone:
            return self.decision(event, Outcome.SKIPPED, "resource no longer exists")
        except UNDECIDABLE as exc:  # no reader for the type, an id the API cannot take: final
            self.metrics.count("inventory_unreadable")
            return self.decision(event, Outcome.ERROR, f"cannot read tags: {exc}")
        except Exception as exc:
            self.metrics.count("inventory_failed")
            failed = self.decision(event, Outcome.ERROR, f"cannot read tags: {exc}")
            failed.retryable = True
            return failed

    def decision(
        self, event: ResourceEvent, outcome: Outcome, reason: str, policy: str | None = None
    ) -> Decision:
        """A decision about `event` with no findings yet; services fill in the rest."""
        return Decision(
            decision_id=os.urandom(16).hex(),
            policy=policy or self.name,
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
            dry_run=self.dry_run,
            source=self.source,
            event_time=event.event_time,
            decided_at=self.clock.now(),
        )

    def rejected(self, exc: EventRejected) -> Decision:
        """The decision recorded for a payload we will not act on."""
        self.metrics.count(f"rejected_{exc.code}")
        return Decision(
            decision_id=os.urandom(16).hex(),
            policy=self.name,
            provider=exc.provider,
            event_id=exc.event_id,
            event_name=exc.event_name,
            outcome=Outcome.SKIPPED if exc.skipped else Outcome.ERROR,
            reason=exc.reason,
            rejection=exc.code.value,
            dry_run=self.dry_run,
            source=self.source,
            decided_at=self.clock.now(),
        )
