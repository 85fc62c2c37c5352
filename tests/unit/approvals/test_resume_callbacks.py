"""Resume through the callbacks: an approved suspend's card offers "resume"; the click, signed
by Slack or the Bot Connector like any other, undoes it and is audited with who asked. The
signed resume route does the same for an operator's tool; a forged or unsigned request acts on
nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import orjson
import pytest

from costplane.adapters.local.plane import LocalEnforcer, LocalInventory, LogNotifier
from costplane.adapters.state_records import RecordStateStore
from costplane.approvals.callbacks import (
    ApprovalCallbacks,
    ResumeEndpoint,
    SlackEndpoint,
    TeamsEndpoint,
)
from costplane.approvals.messages import slack_message, teams_card
from costplane.approvals.model import ApprovalStatus
from costplane.approvals.resume_callback import SIGNATURE_HEADER, TIMESTAMP_HEADER
from costplane.approvals.service import ApprovalService
from costplane.approvals.slack_callback import signature
from costplane.approvals.teams_callback import StaticKeys, TokenVerifier
from costplane.domain.decisions import Action, ActionKind
from costplane.domain.events import Provider
from costplane.engine.executor import ExecuteApproved
from costplane.engine.ports import ProviderPorts
from costplane.engine.resuming import ResumeService
from tests.support.stores import sqlite_approvals, sqlite_state
from tests.support.tagging import NOW, FixedClock
from tests.unit.approvals.approvals_support import (
    APP_ID,
    REF,
    SLACK_APPROVER,
    SLACK_SECRET,
    TEAMS_APPROVER,
    RecordingPoster,
    jwks,
    pending_request,
    slack_body,
    slack_click,
    slack_headers,
    teams_headers,
    teams_invoke,
)

RESUME_SECRET = b"resume-signing-secret-for-tests"


@dataclass
class Plane:
    """Approvals whose approved actions and resumes run through a local enforcer."""

    clock: FixedClock = field(default_factory=FixedClock)
    store: Any = field(default_factory=lambda: sqlite_approvals(":memory:"))
    audit: RecordStateStore = field(default_factory=lambda: sqlite_state(":memory:"))
    enforcer: LocalEnforcer = field(default_factory=lambda: LocalEnforcer(LocalInventory()))

    @property
    def callbacks(self) -> ApprovalCallbacks:
        ports = {Provider.AWS: ProviderPorts(inventory=LocalInventory(), enforcer=self.enforcer)}
        resume = ExecuteApproved(ports, LogNotifier(), self.audit)
        posters = {"slack": RecordingPoster(), "teams": RecordingPoster()}
        service = ApprovalService(self.store, self.audit, self.clock, posters, resume)
        return ApprovalCallbacks(
            service,
            SlackEndpoint(SLACK_SECRET),
            TeamsEndpoint(TokenVerifier(APP_ID, StaticKeys(jwks()))),
            ResumeService(ports, self.audit, self.clock),
            ResumeEndpoint(RESUME_SECRET),
        )

    def approved_suspend(self) -> Any:
        """A request to suspend REF, approved in Slack: the suspend ran."""
        request = pending_request(then=Action(kind=ActionKind.SUSPEND))
        self.store.add(request)
        body = slack_body(slack_click(request))
        assert self.callbacks.slack(slack_headers(body), body).status == 200
        return self.store.get(request.id)

    def resumes(self) -> list[Any]:
        return [d for d in self.audit.recent_decisions(100) if d.source == "resume"]


def answer(found) -> tuple[int, dict]:
    return found.status, orjson.loads(found.body)


def test_an_approved_suspends_card_offers_resume_and_a_pending_ones_does_not():
    plane = Plane()
    pending = pending_request(then=Action(kind=ActionKind.SUSPEND))
    approved = plane.approved_suspend()

    def slack_buttons(request):
        found = [b for b in slack_message(request)["blocks"] if b["type"] == "actions"]
        return [e["action_id"] for block in found for e in block["elements"]]

    assert slack_buttons(pending) == ["costplane-approve", "costplane-deny"]
    assert slack_buttons(approved) == ["costplane-resume"]
    assert [a["verb"] for a in teams_card(approved)["actions"]] == ["resume"]


def test_a_denied_or_stop_request_offers_no_resume():
    denied = pending_request(then=Action(kind=ActionKind.SUSPEND), status=ApprovalStatus.DENIED)
    stopped = pending_request(status=ApprovalStatus.APPROVED)

    assert "actions" not in teams_card(denied)
    assert "actions" not in teams_card(stopped)


def test_a_signed_slack_resume_click_undoes_the_suspend_and_audits_the_approver():
    plane = Plane()
    approved = plane.approved_suspend()
    assert REF.resource_id in plane.enforcer.stopped
    body = slack_body(slack_click(approved, "resume"))

    status, said = answer(plane.callbacks.slack(slack_headers(body), body))

    assert status == 200
    assert said["resumed"] == f"{approved.id}-then-resume"
    assert said["asked_by"] == SLACK_APPROVER
    assert said["actions"] == [{"kind": "suspend", "status": "done", "error": None}]
    assert ("resume-suspend", REF.resource_id) in plane.enforcer.calls
    assert REF.resource_id not in plane.enforcer.stopped
    [record] = plane.resumes()
    assert record.actor == SLACK_APPROVER


def test_a_signed_teams_resume_click_undoes_the_suspend_and_answers_a_card():
    plane = Plane()
    approved = plane.approved_suspend()
    body = orjson.dumps(teams_invoke(approved, "resume"))

    status, said = answer(plane.callbacks.teams(teams_headers(), body))

    assert status == 200
    assert said["type"] == "application/vnd.microsoft.card.adaptive"
    assert f"asked by {TEAMS_APPROVER}" in said["value"]["body"][-1]["text"]
    [record] = plane.resumes()
    assert record.actor == TEAMS_APPROVER
    assert REF.resource_id not in plane.enforcer.stopped


def test_a_second_resume_click_is_a_conflict_and_undoes_nothing_more():
    plane = Plane()
    approved = plane.approved_suspend()
    body = slack_body(slack_click(approved, "resume"))
    plane.callbacks.slack(slack_headers(body), body)

    status, said = answer(plane.callbacks.slack(slack_headers(body), body))

    assert (status, said["error"]) == (409, "nothing_to_resume")
    assert len(plane.resumes()) == 1


def test_a_forged_slack_resume_click_is_unauthorised_and_undoes_nothing():
    plane = Plane()
    approved = plane.approved_suspend()
    body = slack_body(slack_click(approved, "resume"))

    status, said = answer(plane.callbacks.slack(slack_headers(body, secret=b"guessed"), body))

    assert (status, said["error"]) == (401, "bad_signature")
    assert plane.resumes() == []
    assert REF.resource_id in plane.enforcer.stopped


def test_a_resume_click_by_someone_not_an_approver_is_forbidden():
    plane = Plane()
    approved = plane.approved_suspend()
    body = slack_body(slack_click(approved, "resume", user="U0STRANGER"))

    status, said = answer(plane.callbacks.slack(slack_headers(body), body))

    assert (status, said["error"]) == (403, "not_an_approver")
    assert plane.resumes() == []


# --- the signed resume route ------------------------------------------------------------------


def resume_request(
    target: str, by: str = "ops@example.com", secret: bytes = RESUME_SECRET
) -> tuple[dict[str, str], bytes]:
    body = orjson.dumps({"target": target, "by": by})
    timestamp = str(int(NOW.timestamp()))
    return {
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }, body


def test_a_signed_resume_request_undoes_a_decision_and_audits_who_asked():
    plane = Plane()
    approved = plane.approved_suspend()

    status, said = answer(plane.callbacks.resume(*resume_request(REF.resource_id)))

    assert status == 200
    assert said["resumed"] == f"{approved.id}-then-resume"
    [record] = plane.resumes()
    assert (record.actor, record.source) == ("ops@example.com", "resume")
    assert REF.resource_id not in plane.enforcer.stopped


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({}, "missing_signature"),
        ({TIMESTAMP_HEADER: str(int(NOW.timestamp())), SIGNATURE_HEADER: "v0=00"}, "bad_signature"),
        ({TIMESTAMP_HEADER: str(int(NOW.timestamp()) - 86_400), SIGNATURE_HEADER: "v0=00"}, None),
    ],
)
def test_an_unsigned_or_forged_resume_request_is_refused_and_undoes_nothing(headers, code):
    plane = Plane()
    plane.approved_suspend()
    _, body = resume_request(REF.resource_id)

    status, said = answer(plane.callbacks.resume(headers, body))

    assert status == 401
    assert code is None or said["error"] == code
    assert plane.resumes() == []
    assert REF.resource_id in plane.enforcer.stopped


def test_a_resume_request_signed_with_another_secret_is_refused():
    plane = Plane()
    plane.approved_suspend()

    status, said = answer(plane.callbacks.resume(*resume_request(REF.resource_id, secret=b"x")))

    assert (status, said["error"]) == (401, "bad_signature")
    assert plane.resumes() == []


def test_the_resume_route_is_not_found_without_a_signing_secret():
    plane = Plane()
    callbacks = plane.callbacks
    callbacks.resume_endpoint = None

    status, said = answer(callbacks.resume(*resume_request(REF.resource_id)))

    assert (status, said["error"]) == (404, "channel_not_configured")


def test_a_signed_resume_of_nothing_is_a_conflict_that_says_why():
    plane = Plane()

    status, said = answer(plane.callbacks.resume(*resume_request("i-unknown")))

    assert (status, said["error"]) == (409, "nothing_to_resume")
    assert "no decision or resource 'i-unknown'" in said["reason"]
