"""What the control plane decided about a resource, and what it did about it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class Outcome(StrEnum):
    COMPLIANT = "compliant"
    VIOLATION = "violation"
    SKIPPED = "skipped"
    ERROR = "error"


class ActionKind(StrEnum):
    TAG = "tag"
    UNTAG = "untag"
    MARK_FOR_OP = "mark-for-op"
    STOP = "stop"
    QUARANTINE = "quarantine"
    NOTIFY = "notify"
    THROTTLE = "throttle"
    SUSPEND = "suspend"
    DECOMMISSION = "decommission"
    REQUEST_APPROVAL = "request-approval"
    ESCALATE = "escalate"
    RESUME = "resume"
    """Undoes a throttle, suspend or decommission on request (`costplane resume`, a card's
    resume button); recorded by the resume service, never planned by a policy."""


class ActionStatus(StrEnum):
    PLANNED = "planned"
    DONE = "done"
    FAILED = "failed"
    NOT_TAKEN = "not-taken"
    """Impossible as configured (`ActionImpossible`): final, so the event is not retried."""
    DRY_RUN = "dry-run"


class Action(BaseModel):
    """One action on one resource; `status` records what happened to it."""

    kind: ActionKind
    params: dict[str, Any] = Field(default_factory=dict)
    status: ActionStatus = ActionStatus.PLANNED
    error: str | None = None


class Owner(BaseModel):
    """Who pays for a resource, and how we know (`source`: tags, account, actor or none)."""

    team: str | None = None
    cost_center: str | None = None
    product: str | None = None
    contact: str | None = None
    source: str = "none"

    @property
    def label(self) -> str:
        return self.team or self.cost_center or self.product or self.contact or "unattributed"


class Decision(BaseModel):
    """The audit record of one decision. Appended to the audit log even when an action fails."""

    decision_id: str
    policy: str
    provider: str | None = None
    event_id: str | None = None
    event_name: str | None = None
    account: str | None = None
    region: str | None = None
    resource_id: str | None = None
    resource_type: str | None = None
    operation: str | None = None
    actor: str | None = None
    owner: Owner = Field(default_factory=Owner)
    outcome: Outcome
    missing_tags: list[str] = Field(default_factory=list)
    invalid_tags: dict[str, str] = Field(default_factory=dict)
    tags: dict[str, str] = Field(default_factory=dict)
    actions: list[Action] = Field(default_factory=list)
    reason: str = ""
    rejection: str | None = Field(
        None, description="The stable code (domain.errors.Rejection) of a rejected payload."
    )
    dry_run: bool = True
    retryable: bool = Field(
        False, description="Decided on a transient failure: delivering the event again may help."
    )
    source: str | None = None
    event_time: datetime | None = None
    decided_at: datetime
    decide_ms: float = 0.0


MAX_DECISION_BYTES = 30_000
"""A stored decision's JSON at most: it fits one Table storage property (64 KiB of UTF-16),
the smallest of the stores' limits (DynamoDB's item is 400 KB, Firestore's document 1 MiB)."""
_CLIP = 1_000
_CLIP_ITEMS = 50


def bounded(decision: Decision, limit: int = MAX_DECISION_BYTES) -> Decision:
    """`decision` whole when its JSON fits `limit`, else summarised: long texts clipped, at most
    50 tags, and action parameters dropped if that is still too large; the reason says so."""
    size = len(decision.model_dump_json())
    if size <= limit:
        return decision
    note = f" [summarised: the decision was {size} bytes]"
    clipped = decision.model_copy(
        update={
            "reason": decision.reason[:_CLIP] + note,
            "actor": _clip(decision.actor),
            "event_name": _clip(decision.event_name),
            "missing_tags": [k[:_CLIP] for k in decision.missing_tags[:_CLIP_ITEMS]],
            "invalid_tags": _clip_map(decision.invalid_tags),
            "tags": _clip_map(decision.tags),
            "actions": [
                action.model_copy(update={"error": _clip(action.error)})
                for action in decision.actions
            ],
        }
    )
    if len(clipped.model_dump_json()) <= limit:
        return clipped
    return clipped.model_copy(
        update={
            "tags": {},
            "invalid_tags": {},
            "actions": [
                action.model_copy(update={"params": {"summarised": True}})
                for action in clipped.actions
            ],
        }
    )


def _clip(text: str | None) -> str | None:
    return None if text is None else text[:_CLIP]


def _clip_map(values: dict[str, str]) -> dict[str, str]:
    return {k[:_CLIP]: v[:_CLIP] for k, v in list(values.items())[:_CLIP_ITEMS]}
