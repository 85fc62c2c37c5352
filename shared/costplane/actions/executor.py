"""Run planned actions through the ports, recording each one's outcome on the decision."""

from __future__ import annotations

from collections.abc import Callable

from costplane.domain.decisions import Action, ActionKind, ActionStatus, Decision
from costplane.ports import Enforcer, Notifier, ResourceRef

Runner = Callable[[Enforcer, Notifier, ResourceRef, Action, Decision], None]

_RUNNERS: dict[ActionKind, Runner] = {
    ActionKind.TAG: lambda e, _n, ref, a, _d: e.tag(ref, a.params["tags"]),
    ActionKind.UNTAG: lambda e, _n, ref, a, _d: e.untag(ref, a.params["keys"]),
    ActionKind.MARK_FOR_OP: lambda e, _n, ref, a, _d: e.tag(
        ref, {a.params["tag"]: a.params["value"]}
    ),
    ActionKind.STOP: lambda e, _n, ref, _a, _d: e.stop(ref),
    ActionKind.QUARANTINE: lambda e, _n, ref, _a, _d: e.quarantine(ref),
    ActionKind.NOTIFY: lambda _e, n, _ref, _a, d: n.notify(d),
}


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
            _RUNNERS[action.kind](enforcer, notifier, ref, action, decision)
        except Exception as exc:  # an adapter failure must not lose the decision
            action.status = ActionStatus.FAILED
            action.error = f"{type(exc).__name__}: {exc}"
            ok = False
        else:
            action.status = ActionStatus.DONE
    return ok
