"""Open approval requests, decide them once, and expire the ones nobody answered.

Deciding is a conditional write in the ApprovalStore: only a pending request can be decided,
so two deliveries of one click, or a click racing the expiry sweep, act exactly once. Whoever
wins appends the audit Decision (who decided what, when) and, on approval, hands the `then`
Decision to `resume`, which runs it through the enforcer. An approved action that fails puts
the request back to pending (both attempts stay in the audit log): the approver can approve
again, or the expiry sweep retries it, rather than the failure being settled for good. A
request for a channel without credentials is stored as unsent, and the action is not taken.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from datetime import datetime
from decimal import Decimal

from costplane.approvals.errors import CallbackRejected
from costplane.approvals.model import (
    PAST_TENSE,
    ApprovalRequest,
    ApprovalStatus,
    Channel,
    Resolution,
    Subject,
    Verdict,
)
from costplane.approvals.ports import ApprovalPoster, ApprovalStore, Resume
from costplane.domain.action_params import EscalateParams, RequestApprovalParams
from costplane.domain.decisions import Action, ActionKind, ActionStatus, Decision, Outcome
from costplane.domain.errors import ActionImpossible
from costplane.engine.ports import Clock, ResourceRef, StateStore

log = logging.getLogger("costplane.approvals")


class ChannelNotConfigured(ActionImpossible):
    """A policy asks for a chat channel this deployment has no credentials for."""


class ApprovalService:
    def __init__(
        self,
        store: ApprovalStore,
        audit: StateStore,
        clock: Clock,
        posters: Mapping[Channel, ApprovalPoster],
        resume: Resume | None = None,
    ) -> None:
        self.store = store
        self.audit = audit
        self.clock = clock
        self.posters = posters
        self.resume = resume

    def open(
        self,
        decision: Decision,
        action: Action,
        ref: ResourceRef,
        cost_per_hour: Decimal | None = None,
    ) -> ApprovalRequest:
        """Store and post the request a `request-approval` action of `decision` asks for.

        The request id derives from the decision, so a retried decision finds its request and
        never stores a second one. A request still pending is posted again: a retry after a
        failed post must reach the approvers, and at worst they see the question twice, which
        is still decided once. A request already decided is returned as it is.
        """
        params = RequestApprovalParams.model_validate(action.params)
        poster = self.posters.get(params.channel)
        now = self.clock.now()
        request = ApprovalRequest(
            id=request_id(decision.decision_id, params.then),
            decision_id=decision.decision_id,
            subject=_subject(decision, ref, cost_per_hour),
            then=Action(kind=ActionKind(params.then)),
            approvers=params.approvers,
            channel=params.channel,
            created=now,
            expires=now + params.expires_after,
            on_expiry=params.on_expiry,
        )
        if poster is None:
            unsent = request.model_copy(update={"status": ApprovalStatus.UNSENT})
            self.store.add(unsent)
            raise ChannelNotConfigured(
                f"no {params.channel} credentials are configured; request {request.id} is "
                "recorded as unsent"
            )
        if not self.store.add(request):
            request = self.store.get(request.id) or request
            if request.status is not ApprovalStatus.PENDING:
                return request
        poster.post(request)
        return request

    def escalate(
        self,
        decision: Decision,
        action: Action,
        ref: ResourceRef,
        cost_per_hour: Decimal | None = None,
    ) -> None:
        """Post an `escalate` action's message (no buttons) to each of its recipients."""
        params = EscalateParams.model_validate(action.params)
        if params.channel not in ("slack", "teams"):
            raise ChannelNotConfigured(f"escalation via {params.channel} is not a chat channel")
        poster = self._poster(params.channel)
        subject = _subject(decision, ref, cost_per_hour)
        for to in params.to:
            poster.escalate(subject, to)

    def decide(self, request_id: str, verdict: Verdict, by: str) -> Resolution:
        """`by`'s answer to a request; raises 404 for an unknown request, 403 for a non-approver.

        A request already decided acts no more (`acted` False); one past its expiry takes its
        default instead of the answer.
        """
        request = self.store.get(request_id)
        if request is None:
            raise CallbackRejected(404, "unknown_request", f"no approval request {request_id!r}")
        if by not in request.approvers:
            raise CallbackRejected(
                403, "not_an_approver", f"{by} is not an approver of request {request_id}"
            )
        if request.status is not ApprovalStatus.PENDING:
            return Resolution(request, acted=False)
        now = self.clock.now()
        if now >= request.expires:
            return self._settle(request, ApprovalStatus.EXPIRED, None, now)
        status = ApprovalStatus.APPROVED if verdict == "approve" else ApprovalStatus.DENIED
        return self._settle(request, status, by, now)

    def expire_pending(self, now: datetime | None = None) -> list[Resolution]:
        """Turn every request past its expiry into its default; one failure stops no other."""
        now = now or self.clock.now()
        resolved = []
        for request in self.store.pending(due_by=now):
            try:
                resolution = self._settle(request, ApprovalStatus.EXPIRED, None, now)
            except Exception:  # one request's failure must not strand the others
                log.exception("expiring approval request %s failed", request.id)
                continue
            if resolution.acted:
                resolved.append(resolution)
        return resolved

    def pending(self) -> list[ApprovalRequest]:
        return self.store.pending()

    def _poster(self, channel: Channel) -> ApprovalPoster:
        poster = self.posters.get(channel)
        if poster is None:
            raise ChannelNotConfigured(f"no {channel} credentials are configured")
        return poster

    def _settle(
        self, request: ApprovalRequest, status: ApprovalStatus, by: str | None, now: datetime
    ) -> Resolution:
        decided = request.model_copy(update={"status": status, "decided_by": by, "decided_at": now})
        if not self.store.settle(decided):
            return Resolution(self.store.get(request.id) or request, acted=False)
        audit = audit_decision(decided)
        self.audit.append_decision(audit)
        then = then_decision(decided) if decided.approved else None
        log.info("approval request %s %s by %s", request.id, status.value, by or "expiry")
        if then is not None and self.resume is not None and not self.resume(decided.resource, then):
            log.warning("the approved action of request %s failed; it is pending again", request.id)
            reopened = request.model_copy(update={"attempt": request.attempt + 1})
            self.store.reopen(decided, reopened)
            return Resolution(reopened, acted=True, audit=audit, then=then, failed=True)
        return Resolution(decided, acted=True, audit=audit, then=then)


def request_id(decision_id: str, then: str) -> str:
    """Derived from the decision, so that opening the same request twice stores it once."""
    return hashlib.blake2b(f"{decision_id}:{then}".encode(), digest_size=12).hexdigest()


def audit_decision(request: ApprovalRequest) -> Decision:
    """The audit record of who decided `request`, what, and when."""
    record = Action(
        kind=ActionKind.REQUEST_APPROVAL,
        status=ActionStatus.DONE,
        params={
            "request_id": request.id,
            "decision_id": request.decision_id,
            "status": request.status.value,
            "decided_by": request.decided_by,
            "then": request.then.kind.value,
            "then_runs": request.approved,
        },
    )
    return _decision(
        request,
        suffix=request.status.value,
        outcome=Outcome.VIOLATION if request.approved else Outcome.SKIPPED,
        actions=[record],
        reason=describe(request),
    )


def then_decision(request: ApprovalRequest) -> Decision:
    """The approved action, planned, for the policy runner to execute and append."""
    then = request.then.model_copy(update={"status": ActionStatus.PLANNED, "error": None})
    reason = f"{request.then.kind.value}: {describe(request)}"
    return _decision(request, "then", Outcome.VIOLATION, [then], reason)


def then_id(request: ApprovalRequest) -> str:
    """The id of the decision that ran the approved action (the last attempt's)."""
    return _decision_id(request, "then")


def describe(request: ApprovalRequest) -> str:
    """`approved by U123 at 2026-11-27T12:00:00+00:00`, or how the request expired."""
    at = request.decided_at.isoformat() if request.decided_at else "?"
    if request.status is ApprovalStatus.EXPIRED:
        return f"expired unanswered at {at}; {PAST_TENSE[request.on_expiry]} by default"
    return f"{request.status.value} by {request.decided_by} at {at}"


def _decision(
    request: ApprovalRequest, suffix: str, outcome: Outcome, actions: list[Action], reason: str
) -> Decision:
    ref = request.resource
    return Decision(
        decision_id=_decision_id(request, suffix),
        policy=request.policy,
        provider=ref.provider.value,
        account=ref.account,
        region=ref.region,
        resource_id=ref.resource_id,
        resource_type=ref.resource_type,
        actor=request.decided_by,
        outcome=outcome,
        actions=actions,
        reason=reason,
        dry_run=False,
        source="approvals",
        decided_at=request.decided_at or request.created,
    )


def _decision_id(request: ApprovalRequest, suffix: str) -> str:
    """Each attempt audited under its own ids: the first `<id>-approved`, then `-approved-2`."""
    attempt = "" if request.attempt == 1 else f"-{request.attempt}"
    return f"{request.id}-{suffix}{attempt}"


def _subject(decision: Decision, ref: ResourceRef, cost_per_hour: Decimal | None) -> Subject:
    return Subject(
        policy=decision.policy,
        resource=ref,
        owner=decision.owner.label,
        reason=decision.reason,
        cost_per_hour=cost_per_hour,
    )
