"""Undo on request: find an executed throttle, suspend or decommission in the audit log, by its
decision id or its resource, restore the resource, and audit who asked.

Every reversible action keeps its undo state in the audit log (`params["undo"]`), so resuming
needs nothing but the log and the provider's enforcer. A decision is resumed once: the resume
is appended as `<decision id>-resume`, and a second request finds it and is refused (a resume
that failed is appended under its own id and may be asked again). Resuming
by resource takes the newest decision on that resource that still holds something to undo.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from costplane.domain.decisions import Action, ActionKind, ActionStatus, Decision, Outcome
from costplane.domain.events import Provider
from costplane.engine.executor import resume
from costplane.engine.ports import Clock, ProviderPorts, ResourceRef, StateStore
from costplane.engine.undo import REVERSIBLE

RESUME_SUFFIX = "-resume"
SEARCHED = 5000
"""How many of the newest decisions a resume looks through."""


class NothingToResume(LookupError):
    """The target names no executed reversible action still to undo; `str()` says why."""


def undoable(decision: Decision) -> list[Action]:
    """The reversible actions `decision` executed: what a resume would undo."""
    return [a for a in decision.actions if a.kind in REVERSIBLE and a.status is ActionStatus.DONE]


def resume_id(decision_id: str) -> str:
    return decision_id + RESUME_SUFFIX


@dataclass(frozen=True, slots=True)
class ResumeService:
    """Resumes decisions through the providers' enforcers; every resume is audited."""

    ports: Mapping[Provider, ProviderPorts]
    state: StateStore
    clock: Clock
    searched: int = SEARCHED

    def resume(self, target: str, by: str) -> Decision:
        """Undo what the decision `target` did (a decision id, or a resource id: its newest
        undoable decision), on behalf of `by`; the audit record, whose actions say how each
        undo went. Raises NothingToResume with the reason when there is nothing to undo."""
        log = self.state.recent_decisions(self.searched)
        original = _find(target, log)
        record = self._undo(original, by)
        self.state.append_decision(record)
        return record

    def _undo(self, original: Decision, by: str) -> Decision:
        ref = _ref(original)
        ports = self.ports.get(ref.provider)
        actions = []
        for done in undoable(original):
            action = Action(
                kind=ActionKind.RESUME,
                params={"of": done.kind.value, "undo": done.params.get("undo") or {}},
            )
            try:
                if ports is None:
                    raise LookupError(f"this plane has no {ref.provider} adapters")
                resume(done, ref, ports.enforcer)
            except Exception as exc:  # recorded on the audit record, as every action's failure
                action.status = ActionStatus.FAILED
                action.error = f"{type(exc).__name__}: {exc}"
            else:
                action.status = ActionStatus.DONE
            actions.append(action)
        undone = ", ".join(a.kind.value for a in undoable(original))
        now = self.clock.now()
        record_id = resume_id(original.decision_id)
        if any(a.status is ActionStatus.FAILED for a in actions):
            record_id += f"-failed-{now.timestamp():.6f}"
        return original.model_copy(
            update={
                "decision_id": record_id,
                "event_id": None,
                "actor": by,
                "outcome": Outcome.COMPLIANT,
                "actions": actions,
                "reason": f"resume of {original.decision_id} ({undone}) asked by {by}",
                "dry_run": False,
                "retryable": False,
                "source": "resume",
                "decided_at": now,
            },
            deep=True,
        )


def _find(target: str, log: list[Decision]) -> Decision:
    """The decision `target` names, checked to hold something not yet resumed."""
    resumed = {d.decision_id: d for d in log if d.source == "resume"}
    by_id = [d for d in log if d.decision_id == target]
    if by_id:
        decision = by_id[-1]
        if not undoable(decision):
            raise NothingToResume(
                f"decision {target} executed no throttle, suspend or decommission to undo"
            )
        done = resumed.get(resume_id(target))
        if done is not None:
            raise NothingToResume(
                f"decision {target} was resumed already by {done.actor} at "
                f"{done.decided_at.isoformat()}"
            )
        return decision
    on_resource = [d for d in log if d.resource_id == target and d.source != "resume"]
    if not on_resource:
        raise NothingToResume(
            f"no decision or resource {target!r} in the newest {len(log)} decisions"
        )
    for decision in reversed(on_resource):
        if undoable(decision) and resume_id(decision.decision_id) not in resumed:
            return decision
    raise NothingToResume(f"nothing on {target} is left to resume")


def _ref(decision: Decision) -> ResourceRef:
    if not (decision.provider and decision.account is not None and decision.resource_id):
        raise NothingToResume(f"decision {decision.decision_id} names no resource")
    return ResourceRef(
        provider=Provider(decision.provider),
        account=decision.account,
        region=decision.region,
        resource_id=decision.resource_id,
        resource_type=decision.resource_type or "",
    )
