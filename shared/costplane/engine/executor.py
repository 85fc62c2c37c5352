"""Run planned actions through the ports, recording each one's outcome on the decision.

A throttle, suspend or decommission returns the state that undoes it; it is kept in the action's
`params["undo"]`, so the audit log holds what `resume` needs. Destructive actions run only for a
violation: a compliant or exempt decision that carries one is refused, whatever planned it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from costplane.domain.decisions import Action, ActionKind, ActionStatus, Decision, Outcome
from costplane.domain.errors import ActionImpossible
from costplane.domain.events import Provider
from costplane.engine.ports import (
    Approvals,
    Enforcer,
    Notifier,
    ProviderPorts,
    ResourceRef,
    StateStore,
)
from costplane.engine.undo import REVERSIBLE

DESTRUCTIVE = REVERSIBLE | {ActionKind.STOP, ActionKind.QUARANTINE}
NOTIFYING = frozenset({ActionKind.NOTIFY, ActionKind.REQUEST_APPROVAL, ActionKind.ESCALATE})
"""Actions addressed to people: every enforcer supports them, whatever the resource."""
CHAT_CHANNELS = frozenset({"slack", "teams"})


@dataclass(frozen=True, slots=True)
class Channels:
    """Where actions go: the provider's enforcer, the notifier, and people (approvals)."""

    enforcer: Enforcer
    notifier: Notifier
    approvals: Approvals | None = None
    cost_per_hour: Decimal | None = None


Runner = Callable[[Channels, ResourceRef, Action, Decision], None]


def _notify(c: Channels, _ref: ResourceRef, _a: Action, d: Decision) -> None:
    c.notifier.notify(d)


def _request_approval(c: Channels, ref: ResourceRef, a: Action, d: Decision) -> None:
    """Approvals post to Slack or Teams; a plane without them can only notify."""
    if c.approvals is None:
        c.notifier.notify(d)
    else:
        c.approvals.open(d, a, ref, c.cost_per_hour)


def _escalate(c: Channels, ref: ResourceRef, a: Action, d: Decision) -> None:
    if c.approvals is None or a.params.get("channel") not in CHAT_CHANNELS:
        c.notifier.notify(d)
    else:
        c.approvals.escalate(d, a, ref, c.cost_per_hour)


def _reversible(act: Callable[[Enforcer, ResourceRef], dict[str, str]]) -> Runner:
    def run(c: Channels, ref: ResourceRef, action: Action, _d: Decision) -> None:
        action.params["undo"] = act(c.enforcer, ref)

    return run


_RUNNERS: dict[ActionKind, Runner] = {
    ActionKind.TAG: lambda c, ref, a, _d: c.enforcer.tag(ref, a.params["tags"]),
    ActionKind.UNTAG: lambda c, ref, a, _d: c.enforcer.untag(ref, a.params["keys"]),
    ActionKind.MARK_FOR_OP: lambda c, ref, a, _d: c.enforcer.tag(
        ref, {a.params["tag"]: a.params["value"]}
    ),
    ActionKind.STOP: lambda c, ref, _a, _d: c.enforcer.stop(ref),
    ActionKind.QUARANTINE: lambda c, ref, _a, _d: c.enforcer.quarantine(ref),
    ActionKind.THROTTLE: _reversible(lambda e, ref: e.throttle(ref)),
    ActionKind.SUSPEND: _reversible(lambda e, ref: e.suspend(ref)),
    ActionKind.DECOMMISSION: _reversible(lambda e, ref: e.decommission(ref)),
    ActionKind.NOTIFY: _notify,
    ActionKind.REQUEST_APPROVAL: _request_approval,
    ActionKind.ESCALATE: _escalate,
}


class RefusedAction(PermissionError):
    """A destructive action on a decision that found no violation."""


def execute(
    decision: Decision,
    ref: ResourceRef,
    enforcer: Enforcer,
    notifier: Notifier,
    approvals: Approvals | None = None,
    cost_per_hour: Decimal | None = None,
) -> bool:
    """Run every action in order, even after one fails; True when all succeeded.

    In dry-run, actions are marked as what would have happened and nothing is called.
    """
    channels = Channels(enforcer, notifier, approvals, cost_per_hour)
    ok = True
    for action in decision.actions:
        if decision.dry_run:
            action.status = ActionStatus.DRY_RUN
            continue
        try:
            if action.kind in DESTRUCTIVE and decision.outcome is not Outcome.VIOLATION:
                raise RefusedAction(f"{action.kind.value} on a {decision.outcome.value} decision")
            _RUNNERS[action.kind](channels, ref, action, decision)
        except ActionImpossible as exc:
            action.status = ActionStatus.NOT_TAKEN
            action.error = str(exc)
        except Exception as exc:  # an adapter failure must not lose the decision
            action.status = ActionStatus.FAILED
            action.error = f"{type(exc).__name__}: {exc}"
            ok = False
        else:
            action.status = ActionStatus.DONE
    return ok


def resume(action: Action, ref: ResourceRef, enforcer: Enforcer) -> None:
    """Undo a throttle, suspend or decommission from the state its execution recorded."""
    if action.kind not in REVERSIBLE:
        raise ValueError(f"{action.kind.value} cannot be resumed")
    enforcer.resume(ref, action.kind, action.params.get("undo") or {})


@dataclass(frozen=True, slots=True)
class ExecuteApproved:
    """Resume an approved request: run its decision's actions through the provider's enforcer,
    then audit the decision (the approvals service calls this once a request is settled).

    `dry_run` is the deployment's ceiling: a request opened while it enforced and approved after
    it went back to dry-run is recorded as what would have happened, and nothing is called.
    """

    ports: Mapping[Provider, ProviderPorts]
    notifier: Notifier
    state: StateStore
    dry_run: bool = False

    def __call__(self, resource: ResourceRef, then: Decision) -> bool:
        then.dry_run = then.dry_run or self.dry_run
        ports = self.ports.get(resource.provider)
        ok = False
        if ports is None:
            for action in then.actions:
                action.status = ActionStatus.FAILED
                action.error = f"this plane has no {resource.provider} adapters"
        else:
            ok = execute(then, resource, ports.enforcer, self.notifier)
        self.state.append_decision(then)
        return ok
