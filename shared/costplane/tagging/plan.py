"""Decide which actions a tag check calls for. Pure: no I/O, so it is cheap and fully testable."""

from __future__ import annotations

from datetime import datetime

from costplane.domain.decisions import Action, ActionKind
from costplane.domain.events import Operation, ResourceEvent
from costplane.domain.marks import Mark, decode_mark
from costplane.domain.taxonomy import Enforcement
from costplane.tagging.check import TagCheck


def plan_actions(
    event: ResourceEvent,
    check: TagCheck,
    enforcement: Enforcement,
    now: datetime,
    supports: set[ActionKind],
) -> list[Action]:
    """Remediate what defaults can fix; schedule or take `on_violation` for what they cannot.

    A resource is never stopped within the grace period after its creation: it is marked for
    the operation instead, so that tools which tag right after creating are not punished. The
    operation that carries out a mark names it (`params["mark"]`), so that it runs once whoever
    finds the mark due; a sweep's re-check notifies only when it acts, not every few minutes.
    """
    actions: list[Action] = []
    existing_mark = check.resolved.get(enforcement.mark_tag)
    if check.inherited and enforcement.remediate and ActionKind.TAG in supports:
        actions.append(Action(kind=ActionKind.TAG, params={"tags": dict(check.inherited)}))
    still_missing = [k for k in check.missing if k not in check.inherited]
    if check.exemption is not None or not (still_missing or check.invalid):
        if existing_mark is not None and ActionKind.UNTAG in supports:
            actions.append(Action(kind=ActionKind.UNTAG, params={"keys": [enforcement.mark_tag]}))
        return actions
    sweep = event.operation is Operation.SWEEP
    notify = [Action(kind=ActionKind.NOTIFY)] if enforcement.notify else []
    if not sweep:
        actions.extend(notify)
    op = enforcement.on_violation.kind
    if op is ActionKind.NOTIFY or op not in supports:
        return actions
    earliest = now + enforcement.delay
    if event.operation is Operation.CREATE:
        earliest = max(earliest, event.event_time + enforcement.grace)
    mark = decode_mark(existing_mark) if existing_mark else None
    if earliest <= now or (mark is not None and mark.op is op and mark.due(now)):
        if sweep:
            actions.extend(notify)
        carries = {"mark": existing_mark} if mark is not None and mark.op is op else {}
        actions.append(Action(kind=op, params=carries))
    elif mark is None and ActionKind.TAG in supports:
        value = Mark(op, earliest).encode()
        actions.append(
            Action(
                kind=ActionKind.MARK_FOR_OP,
                params={"tag": enforcement.mark_tag, "value": value, "op": op, "at": earliest},
            )
        )
    return actions
