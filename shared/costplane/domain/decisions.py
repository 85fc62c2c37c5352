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
    dry_run: bool = True
    retryable: bool = Field(
        False, description="Decided on a transient failure: delivering the event again may help."
    )
    source: str | None = None
    event_time: datetime | None = None
    decided_at: datetime
    decide_ms: float = 0.0
