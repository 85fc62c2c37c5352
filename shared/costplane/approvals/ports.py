"""The interfaces approvals depend on; adapters implement them."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

from costplane.approvals.model import ApprovalRequest, Subject
from costplane.domain.decisions import Decision
from costplane.engine.ports import ResourceRef


@runtime_checkable
class ApprovalStore(Protocol):
    """Approval requests that survive a process; deciding one is a conditional write."""

    def add(self, request: ApprovalRequest) -> bool:
        """Store a new request; False when one with its id exists already."""
        ...

    def get(self, request_id: str) -> ApprovalRequest | None: ...

    def settle(self, decided: ApprovalRequest) -> bool:
        """Replace the stored request by `decided` only if it is still pending; False when it
        was decided already, so that a duplicated callback acts once."""
        ...

    def reopen(self, decided: ApprovalRequest, pending: ApprovalRequest) -> bool:
        """Put `pending` back while the stored request is still `decided` (its approved action
        failed); False when something else changed it meanwhile."""
        ...

    def pending(self, due_by: datetime | None = None) -> list[ApprovalRequest]:
        """Pending requests, soonest expiry first; only those expiring by `due_by` if given."""
        ...


class ApprovalPoster(Protocol):
    """Posts approval requests and escalations to one chat service."""

    def post(self, request: ApprovalRequest) -> None: ...

    def escalate(self, subject: Subject, to: str) -> None: ...


class Resume(Protocol):
    """Runs an approved request's `then` decision through the enforcer and records it; True
    when every action succeeded."""

    def __call__(self, resource: ResourceRef, then: Decision) -> bool: ...


class Resumer(Protocol):
    """Undoes what a decision did, on behalf of someone (a card's resume button)."""

    def resume(self, target: str, by: str) -> Decision: ...
