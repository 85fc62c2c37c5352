"""Evaluate every policy against one event's facts, in one pass, in microseconds.

Policies are compiled once (plug-ins instantiated, scopes prepared); evaluating an event
is then scope checks and the conditions of the policies in scope. Destructive actions are
never planned on exempt resources, nor within a policy's grace period after creation: they
become a mark-for-op at the end of the grace period instead.
"""

from __future__ import annotations

import fnmatch
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from costplane.domain.decisions import Action, ActionKind, Decision, Outcome
from costplane.domain.marks import Mark
from costplane.domain.tag_keys import canonical
from costplane.domain.taxonomy import Exemption, Mode, PolicyScope, under_ceiling
from costplane.engine.executor import DESTRUCTIVE
from costplane.policy.facts import Facts
from costplane.policy.registry import ACTIONS, CONDITIONS, Condition, PolicyAction

ScopeCheck = tuple[str, Callable[[str], object]]


@dataclass(frozen=True, slots=True)
class CompiledPolicy:
    name: str
    scope_checks: tuple[ScopeCheck, ...]
    scope_tags: tuple[tuple[str, str], ...]
    conditions: tuple[Condition, ...]
    actions: tuple[PolicyAction, ...]
    mode: Mode
    grace: timedelta
    exemptions: tuple[Exemption, ...]

    def in_scope(self, facts: Facts, folded_tags: dict[str, str]) -> bool:
        event = facts.event
        if not all(match(getattr(event, attr) or "") for attr, match in self.scope_checks):
            return False
        return all(folded_tags.get(key) == value for key, value in self.scope_tags)


def _scope_checks(scope: PolicyScope) -> tuple[ScopeCheck, ...]:
    """The scope's globs, compiled once: matching an event is then a few regex calls."""
    fields = {
        "provider": scope.provider,
        "account": scope.account,
        "region": scope.region,
        "resource_type": scope.resource_type,
    }
    return tuple(
        (attr, re.compile(fnmatch.translate(glob)).match)
        for attr, glob in fields.items()
        if glob is not None
    )


def compile_policies(policy_file: Any, ceiling: Mode = Mode.ENFORCE) -> tuple[CompiledPolicy, ...]:
    """Instantiate each policy's plug-ins from their validated parameters.

    `ceiling` is the deployment's mode: `dry-run` makes every policy dry whatever its file says
    (a dry-run deployment never acts); `enforce` lets each policy's own mode stand.
    """
    return tuple(
        CompiledPolicy(
            name=p.name,
            scope_checks=_scope_checks(p.scope),
            scope_tags=tuple((canonical(k), v.casefold()) for k, v in p.scope.tags.items()),
            conditions=tuple(CONDITIONS[c.type](c) for c in p.conditions),
            actions=tuple(ACTIONS[a.type](a) for a in p.actions),
            mode=under_ceiling(p.mode, ceiling),
            grace=p.grace,
            exemptions=tuple(p.exemptions),
        )
        for p in policy_file.policies
    )


class PolicyEngine:
    """All policies, evaluated together against each event (one function, not one per policy)."""

    def __init__(self, policies: Sequence[CompiledPolicy]) -> None:
        self.policies = tuple(policies)

    def evaluate(self, facts: Facts) -> list[Decision]:
        """One decision per policy that matched; one compliant decision when none did."""
        folded = {canonical(k): v.casefold() for k, v in facts.tags.items()}
        base = _decision_fields(facts)
        decisions = [
            d
            for p in self.policies
            if p.in_scope(facts, folded) and (d := self._evaluate(p, facts, base)) is not None
        ]
        if decisions:
            return decisions
        return [_decision(base, "*", Outcome.COMPLIANT, "no policy matched", dry_run=True)]

    def _evaluate(
        self, policy: CompiledPolicy, facts: Facts, base: dict[str, Any]
    ) -> Decision | None:
        reasons = []
        for cond in policy.conditions:
            reason = cond.explain(facts)
            if reason is None:
                return None
            reasons.append(reason)
        dry_run = policy.mode is Mode.DRY_RUN
        today = facts.now.date()
        exemption = next((e for e in policy.exemptions if e.covers(facts.event, today)), None)
        if exemption is not None:
            reason = f"exempt until {exemption.expires}: {exemption.reason}"
            return _decision(base, policy.name, Outcome.COMPLIANT, reason, dry_run)
        decision = _decision(base, policy.name, Outcome.VIOLATION, "; ".join(reasons), dry_run)
        decision.actions = [_within_grace(a.plan(facts), policy, facts) for a in policy.actions]
        return decision


def _within_grace(action: Action, policy: CompiledPolicy, facts: Facts) -> Action:
    """A destructive action on a resource still in its grace period becomes a mark-for-op."""
    if action.kind not in DESTRUCTIVE or facts.created_at is None:
        return action
    ends = facts.created_at + policy.grace
    if ends <= facts.now:
        return action
    mark = Mark(action.kind, ends)
    return Action(
        kind=ActionKind.MARK_FOR_OP,
        params={"tag": "costplane-op", "value": mark.encode(), "op": action.kind, "at": ends},
    )


def _decision_fields(facts: Facts) -> dict[str, Any]:
    """The fields every decision about this event shares, built once per event."""
    event = facts.event
    return {
        "provider": event.provider.value,
        "event_id": event.event_id,
        "event_name": event.event_name,
        "account": event.account,
        "region": event.region,
        "resource_id": event.resource_id,
        "resource_type": event.resource_type,
        "operation": event.operation.value,
        "actor": event.actor,
        "tags": dict(facts.tags),
        "event_time": event.event_time,
        "decided_at": facts.now,
        "owner": facts.owner,
        "missing_tags": [],
        "invalid_tags": {},
        "source": None,
        "decide_ms": 0.0,
    }


def _decision(
    base: dict[str, Any], policy: str, outcome: Outcome, reason: str, dry_run: bool
) -> Decision:
    """Decisions are assembled from validated parts with every field given, so they skip
    validation and default factories (pydantic inspects each factory on every call)."""
    return Decision.model_construct(
        **base,
        decision_id=os.urandom(16).hex(),
        policy=policy,
        outcome=outcome,
        reason=reason,
        dry_run=dry_run,
        actions=[],
    )
