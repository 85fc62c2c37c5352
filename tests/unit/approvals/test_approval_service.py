"""The approval service: a request is stored and posted once, decided once by an approver, and
expires into its default; every decision is in the audit log, and an approval resumes `then`."""

from __future__ import annotations

from datetime import timedelta

import pytest

from costplane.adapters.local.plane import LocalEnforcer, LocalInventory, LogNotifier
from costplane.approvals.errors import CallbackRejected
from costplane.approvals.model import ApprovalStatus
from costplane.approvals.service import ChannelNotConfigured, request_id
from costplane.domain.decisions import Action, ActionKind, ActionStatus, Outcome
from costplane.engine.executor import execute
from costplane.engine.pipeline import needs_retry
from tests.support.tagging import NOW
from tests.unit.approvals.approvals_support import (
    REF,
    SLACK_APPROVER,
    TEAMS_APPROVER,
    Harness,
    request_approval,
    violation,
)


class Unreachable:
    def post(self, request):
        raise ConnectionError("slack.com unreachable")


def opened(harness: Harness, **params):
    return harness.service.open(violation(), request_approval(**params), REF)


def test_opening_a_request_stores_it_pending_and_posts_it():
    harness = Harness()

    request = opened(harness)

    assert harness.store.get(request.id) == request
    assert request.status is ApprovalStatus.PENDING
    assert harness.poster.posted == [request]


def test_a_request_takes_its_fields_from_the_policy_action_and_the_decision():
    harness = Harness()

    request = opened(harness, then="suspend", expires_after="PT30M", on_expiry="approve")

    assert request.id == request_id("d-1", "suspend")
    assert request.policy == "gpu-budget"
    assert request.resource == REF
    assert request.subject.owner == "ml-research"
    assert request.then == Action(kind=ActionKind.SUSPEND)
    assert request.approvers == (SLACK_APPROVER, TEAMS_APPROVER)
    assert (request.created, request.expires) == (NOW, NOW + timedelta(minutes=30))
    assert request.on_expiry == "approve"


def test_opening_the_same_decisions_request_again_stores_it_once_and_posts_it_again():
    harness = Harness()

    first = opened(harness)
    harness.clock.current = NOW + timedelta(minutes=1)
    second = opened(harness)

    assert second == first
    assert harness.store.pending() == [first]
    assert harness.poster.posted == [first, first]


def test_a_request_that_failed_to_post_is_posted_when_the_decision_is_retried():
    harness = Harness()
    poster = harness.poster
    harness.poster = Unreachable()
    with pytest.raises(ConnectionError):
        opened(harness)
    harness.poster = poster

    request = opened(harness)

    assert poster.posted == [request]


def test_opening_a_request_that_was_decided_posts_nothing():
    harness = Harness()
    request = opened(harness)
    harness.service.decide(request.id, "deny", SLACK_APPROVER)

    again = opened(harness)

    assert again.status is ApprovalStatus.DENIED
    assert harness.poster.posted == [request]


def test_a_channel_without_credentials_is_refused_and_the_request_stored_as_unsent():
    harness = Harness()
    service = harness.service
    service.posters = {}

    with pytest.raises(ChannelNotConfigured):
        service.open(violation(), request_approval(), REF)
    assert harness.store.pending() == []
    unsent = harness.store.get(request_id("d-1", "stop"))
    assert unsent.status is ApprovalStatus.UNSENT
    assert harness.poster.posted == []


def test_an_unsent_request_cannot_be_approved():
    harness = Harness()
    service = harness.service
    service.posters = {}
    with pytest.raises(ChannelNotConfigured):
        service.open(violation(), request_approval(), REF)

    resolution = service.decide(request_id("d-1", "stop"), "approve", SLACK_APPROVER)

    assert (resolution.acted, resolution.request.status) == (False, ApprovalStatus.UNSENT)
    assert harness.resume.calls == []


def test_an_approved_action_that_fails_leaves_the_request_pending_to_approve_again():
    harness = Harness()
    request = opened(harness)
    harness.resume.ok = False

    failed = harness.service.decide(request.id, "approve", SLACK_APPROVER)

    assert (failed.acted, failed.failed) == (True, True)
    assert harness.store.get(request.id).status is ApprovalStatus.PENDING
    assert harness.store.pending() == [request.model_copy(update={"attempt": 2})]
    harness.resume.ok = True
    retried = harness.service.decide(request.id, "approve", SLACK_APPROVER)
    assert (retried.acted, retried.failed) == (True, False)
    assert harness.store.get(request.id).status is ApprovalStatus.APPROVED
    assert [then.decision_id for _, then in harness.resume.calls] == [
        f"{request.id}-then",
        f"{request.id}-then-2",
    ]


def test_an_expiry_into_approve_whose_action_fails_is_retried_by_the_next_sweep():
    harness = Harness()
    request = opened(harness, on_expiry="approve")
    harness.resume.ok = False

    [first] = harness.service.expire_pending(request.expires)
    harness.resume.ok = True
    [second] = harness.service.expire_pending(request.expires)

    assert first.failed
    assert not second.failed
    assert second.request.status is ApprovalStatus.EXPIRED
    assert harness.store.pending() == []
    assert len(harness.resume.calls) == 2


def test_an_approval_records_who_and_when_and_hands_then_to_resume():
    harness = Harness()
    request = opened(harness)
    harness.clock.current = NOW + timedelta(minutes=5)

    resolution = harness.service.decide(request.id, "approve", SLACK_APPROVER)

    assert resolution.acted
    assert resolution.request.status is ApprovalStatus.APPROVED
    assert resolution.request.decided_by == SLACK_APPROVER
    assert resolution.request.decided_at == NOW + timedelta(minutes=5)
    [audit] = harness.audit.recent_decisions(10)
    assert audit == resolution.audit
    assert audit.policy == "gpu-budget"
    assert audit.outcome is Outcome.VIOLATION
    assert audit.reason == f"approved by {SLACK_APPROVER} at 2026-11-27T12:05:00+00:00"
    assert audit.actions[0].kind is ActionKind.REQUEST_APPROVAL
    assert audit.actions[0].params["decided_by"] == SLACK_APPROVER
    [(resumed, then)] = harness.resume.calls
    assert resumed == resolution.request.resource
    assert then == resolution.then
    assert [(a.kind, a.status) for a in then.actions] == [(ActionKind.STOP, ActionStatus.PLANNED)]
    assert then.dry_run is False


def test_a_denial_is_recorded_and_nothing_resumes():
    harness = Harness()
    request = opened(harness)

    resolution = harness.service.decide(request.id, "deny", TEAMS_APPROVER)

    assert resolution.request.status is ApprovalStatus.DENIED
    assert resolution.then is None
    assert harness.resume.calls == []
    [audit] = harness.audit.recent_decisions(10)
    assert audit.outcome is Outcome.SKIPPED
    assert audit.reason.startswith(f"denied by {TEAMS_APPROVER} at ")


def test_a_second_answer_to_a_decided_request_acts_no_more():
    harness = Harness()
    request = opened(harness)
    harness.service.decide(request.id, "approve", SLACK_APPROVER)

    again = harness.service.decide(request.id, "deny", TEAMS_APPROVER)

    assert not again.acted
    assert again.request.status is ApprovalStatus.APPROVED
    assert len(harness.resume.calls) == 1
    assert len(harness.audit.recent_decisions(10)) == 1


def test_someone_who_is_not_an_approver_is_forbidden_and_nothing_changes():
    harness = Harness()
    request = opened(harness)
    before = harness.snapshot()

    with pytest.raises(CallbackRejected) as caught:
        harness.service.decide(request.id, "approve", "U0INTRUDER")

    assert (caught.value.status, caught.value.code) == (403, "not_an_approver")
    assert harness.snapshot() == before


def test_an_unknown_request_is_not_found():
    with pytest.raises(CallbackRejected) as caught:
        Harness().service.decide("no-such-request", "approve", SLACK_APPROVER)
    assert (caught.value.status, caught.value.code) == (404, "unknown_request")


def test_an_answer_after_the_expiry_takes_the_default_instead():
    harness = Harness()
    request = opened(harness, on_expiry="deny")
    harness.clock.current = request.expires

    resolution = harness.service.decide(request.id, "approve", SLACK_APPROVER)

    assert resolution.request.status is ApprovalStatus.EXPIRED
    assert resolution.request.decided_by is None
    assert harness.resume.calls == []


def test_an_unanswered_request_expiring_into_approve_resumes_then():
    harness = Harness()
    request = opened(harness, on_expiry="approve")

    [resolution] = harness.service.expire_pending(request.expires)

    assert resolution.request.status is ApprovalStatus.EXPIRED
    assert resolution.request.approved
    assert [then.decision_id for _, then in harness.resume.calls] == [f"{request.id}-then"]
    [audit] = harness.audit.recent_decisions(10)
    assert audit.reason == "expired unanswered at 2026-11-27T16:00:00+00:00; approved by default"


def test_an_unanswered_request_expiring_into_deny_runs_nothing():
    harness = Harness()
    request = opened(harness, on_expiry="deny")

    [resolution] = harness.service.expire_pending(request.expires)

    assert not resolution.request.approved
    assert harness.resume.calls == []
    [audit] = harness.audit.recent_decisions(10)
    assert audit.outcome is Outcome.SKIPPED
    assert audit.reason == "expired unanswered at 2026-11-27T16:00:00+00:00; denied by default"


def test_the_expiry_sweep_leaves_requests_not_yet_due():
    harness = Harness()
    request = opened(harness)

    assert harness.service.expire_pending(request.expires - timedelta(seconds=1)) == []
    assert harness.service.pending() == [request]


def test_the_expiry_sweep_uses_the_clock_when_given_no_time():
    harness = Harness()
    opened(harness)
    harness.clock.current = NOW + timedelta(hours=5)

    assert len(harness.service.expire_pending()) == 1
    assert harness.service.pending() == []


def test_one_failing_expiry_strands_no_other():
    harness = Harness()
    first = opened(harness, on_expiry="approve")
    second = harness.service.open(
        violation(decision_id="d-2"), request_approval(on_expiry="approve"), REF
    )
    calls = []

    def resume(resource, then):
        request_id = then.decision_id.removesuffix("-then")
        calls.append(request_id)
        if request_id == first.id:
            raise RuntimeError("enforcer unreachable")

    harness.resume = resume

    resolved = harness.service.expire_pending(NOW + timedelta(hours=5))

    assert sorted(calls) == sorted([first.id, second.id])
    assert [r.request.id for r in resolved] == [second.id]


def test_an_escalation_posts_the_summary_to_each_recipient():
    harness = Harness()
    action = Action(
        kind=ActionKind.ESCALATE, params={"to": ["C0LEADS", "C0VP"], "channel": "slack"}
    )

    harness.service.escalate(violation(), action, REF)

    assert [to for _, to in harness.poster.escalated] == ["C0LEADS", "C0VP"]
    assert harness.poster.escalated[0][0].reason == violation().reason


def test_an_escalation_by_sns_is_not_a_chat_channel():
    action = Action(kind=ActionKind.ESCALATE, params={"to": ["arn:aws:sns:x"], "channel": "sns"})
    with pytest.raises(ChannelNotConfigured):
        Harness().service.escalate(violation(), action, REF)


def test_an_approval_on_a_channel_without_credentials_is_not_taken_and_not_retried():
    harness = Harness()
    service = harness.service
    service.posters = {}
    decision = violation()
    decision.actions = [request_approval()]

    ok = execute(decision, REF, LocalEnforcer(LocalInventory()), LogNotifier(), service)

    [action] = decision.actions
    assert (ok, action.status) == (True, ActionStatus.NOT_TAKEN)
    unsent = harness.store.get(request_id(decision.decision_id, "stop"))
    assert (
        action.error
        == f"no slack credentials are configured; request {unsent.id} is recorded as unsent"
    )
    assert not needs_retry([decision])
    assert harness.store.pending() == []
    assert unsent.status is ApprovalStatus.UNSENT
