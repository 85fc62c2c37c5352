"""An approval request and what deciding it produced."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict

from costplane.domain.decisions import Action, Decision
from costplane.engine.ports import ResourceRef

Channel = Literal["slack", "teams"]
Verdict = Literal["approve", "deny"]
Choice = Literal["approve", "deny", "resume"]
"""What a button on a card asks: a verdict on a pending request, or to undo its executed action."""
PAST_TENSE: dict[Verdict, str] = {"approve": "approved", "deny": "denied"}


class ApprovalStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    EXPIRED = "expired"
    UNSENT = "unsent"
    """Never posted: its channel has no credentials here. Final; nobody can answer it."""


class Subject(BaseModel):
    """What a message is about: the resource, who pays for it, why the policy matched."""

    model_config = ConfigDict(frozen=True)

    policy: str
    resource: ResourceRef
    owner: str
    reason: str
    cost_per_hour: Decimal | None = None
    currency: str = "USD"


class ApprovalRequest(BaseModel):
    """One question to approvers. Only a pending request can be decided, exactly once."""

    model_config = ConfigDict(frozen=True)

    id: str
    decision_id: str
    subject: Subject
    then: Action
    approvers: tuple[str, ...]
    channel: Channel
    created: datetime
    expires: datetime
    on_expiry: Verdict
    status: ApprovalStatus = ApprovalStatus.PENDING
    decided_by: str | None = None
    decided_at: datetime | None = None
    attempt: int = 1
    """Which approval this is: an approved action that failed reopens the request, once more."""

    @property
    def policy(self) -> str:
        return self.subject.policy

    @property
    def resource(self) -> ResourceRef:
        return self.subject.resource

    @property
    def approved(self) -> bool:
        """True when `then` should run: approved, or expired into an approval."""
        if self.status is ApprovalStatus.EXPIRED:
            return self.on_expiry == "approve"
        return self.status is ApprovalStatus.APPROVED


def stamp(moment: datetime) -> str:
    """UTC ISO 8601 with microseconds: stores sort it as text in time order."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


@dataclass(frozen=True, slots=True)
class Resolution:
    """The result of a callback or an expiry.

    `acted` is False when the request had already been decided: nothing was recorded and
    nothing runs again. Otherwise `audit` is the Decision appended to the audit log (who
    decided what, when) and, when approved, `then` is the Decision whose one action the
    policy runner executes through the enforcer.
    """

    request: ApprovalRequest
    acted: bool
    audit: Decision | None = None
    then: Decision | None = None
    failed: bool = False
    """The approved action failed: the request is pending again, to be approved (or expire)
    again, so that the action is retried rather than recorded as settled."""
