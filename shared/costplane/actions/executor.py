"""Run planned actions through the ports, recording each one's outcome on the decision.

A throttle, suspend or decommission returns the state that undoes it; it is kept in the action's
`params["undo"]`, so the audit log holds what `resume` needs. Destructive actions run only for a
violation: a compliant or exempt decision that carries one is refused, whatever planned it.
"""

from __future__ import annotations

from collections.abc import Callable

from costplane.actions.undo import REVERSIBLE
from costplane.domain.decisions import Action, ActionKind, ActionStatus, Decision, Outcome
from costplane.ports import Enforcer, Notifier, ResourceRef

Runner = Callable[[Enforcer, Notifier, ResourceRef, Action, Decision], None]

DESTRUCTIVE = REVERSIBLE | {ActionKind.STOP, ActionKind.QUARANTINE}
NOTIFYING = frozenset({ActionKind.NOTIFY, ActionKind.REQUEST_APPROVAL, ActionKind.ESCALATE})


def _notify(_e: Enforcer, notifier: Notifier, _ref: ResourceRef, _a: Action, d: Decision) -> None:
    notifier.notify(d)


def _reversible(act: Callable[[Enforcer, ResourceRef], dict[str, str]]) -> Runner:
    def run(
        enforcer: Enforcer, _n: Notifier, ref: ResourceRef, action: Action, _d: Decision
    ) -> None:
        action.params["undo"] = act(enforcer, ref)

    return run


_RUNNERS: dict[ActionKind, Runner] = {
    ActionKind.TAG: lambda e, _n, ref, a, _d: e.tag(ref, a.params["tags"]),
    ActionKind.UNTAG: lambda e, _n, ref, a, _d: e.untag(ref, a.params["keys"]),
    ActionKind.MARK_FOR_OP: lambda e, _n, ref, a, _d: e.tag(
        ref, {a.params["tag"]: a.params["value"]}
    ),
    ActionKind.STOP: lambda e, _n, ref, _a, _d: e.stop(ref),
    ActionKind.QUARANTINE: lambda e, _n, ref, _a, _d: e.quarantine(ref),
    ActionKind.THROTTLE: _reversible(lambda e, ref: e.throttle(ref)),
    ActionKind.SUSPEND: _reversible(lambda e, ref: e.suspend(ref)),
    ActionKind.DECOMMISSION: _reversible(lambda e, ref: e.decommission(ref)),
    **dict.fromkeys(NOTIFYING, _notify),
}


class RefusedAction(PermissionError):
    """A destructive action on a decision that found no violation."""


def execute(decision: Decision, ref: ResourceRef, enforcer: Enforcer, notifier: Notifier) -> bool:
    """Run every action in order, even after one fails; True when all succeeded.

    In dry-run, actions are marked as what would have happened and nothing is called.
    """
    ok = True
    for action in decision.actions:
        if decision.dry_run:
            action.status = ActionStatus.DRY_RUN
            continue
        try:
            if action.kind in DESTRUCTIVE and decision.outcome is not Outcome.VIOLATION:
                raise RefusedAction(f"{action.kind.value} on a {decision.outcome.value} decision")
            _RUNNERS[action.kind](enforcer, notifier, ref, action, decision)
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
