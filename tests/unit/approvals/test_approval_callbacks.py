"""The callback service as the endpoints use it: headers and raw body in, status and JSON out.
Forged or stale → 401, not an approver → 403, and nothing acts; a replay → 200 already decided."""

from __future__ import annotations

import orjson

from costplane.approvals.callbacks import ApprovalCallbacks
from costplane.approvals.model import ApprovalStatus
from tests.support.tagging import NOW
from tests.unit.approvals.approvals_support import (
    SLACK_APPROVER,
    TEAMS_APPROVER,
    Harness,
    pending_request,
    slack_body,
    slack_click,
    slack_headers,
    teams_headers,
    teams_invoke,
)


def seeded(**updates) -> tuple[Harness, str]:
    harness = Harness()
    return harness, harness.seed(**updates).id


def slack(harness: Harness, body: bytes, headers: dict | None = None):
    answer = harness.callbacks.slack(slack_headers(body) if headers is None else headers, body)
    return answer.status, orjson.loads(answer.body)


def teams(harness: Harness, activity: dict, headers: dict | None = None):
    body = orjson.dumps(activity)
    answer = harness.callbacks.teams(teams_headers() if headers is None else headers, body)
    return answer.status, orjson.loads(answer.body)


def test_a_signed_slack_approval_decides_resumes_and_replaces_the_message():
    harness, request_id = seeded()
    body = slack_body(slack_click(pending_request(request_id)))

    status, answer = slack(harness, body)

    assert status == 200
    assert answer == {
        "request_id": request_id,
        "status": "approved",
        "acted": True,
        "then": "stop",
        "message": f"approved by {SLACK_APPROVER} at 2026-11-27T12:00:00+00:00",
    }
    assert len(harness.resume.calls) == 1
    [(url, replaced)] = harness.poster.replaced
    assert url == "https://hooks.slack.com/actions/T111/111/random-value"
    assert replaced.status is ApprovalStatus.APPROVED


def test_a_replayed_slack_click_is_answered_already_decided_and_acts_no_more():
    harness, request_id = seeded()
    body = slack_body(slack_click(pending_request(request_id)))
    slack(harness, body)
    before = harness.snapshot()

    status, answer = slack(harness, body)

    assert status == 200
    assert answer["acted"] is False
    assert answer["message"].startswith("already decided: approved by ")
    assert harness.snapshot() == before


def test_a_forged_slack_click_is_unauthorised_and_nothing_acts():
    harness, request_id = seeded()
    body = slack_body(slack_click(pending_request(request_id)))
    before = harness.snapshot()

    status, answer = slack(harness, body, slack_headers(body, secret=b"guessed"))

    assert (status, answer["error"]) == (401, "bad_signature")
    assert harness.snapshot() == before


def test_a_slack_click_replayed_after_the_window_is_unauthorised():
    harness, request_id = seeded()
    body = slack_body(slack_click(pending_request(request_id)))

    status, answer = slack(harness, body, slack_headers(body, int(NOW.timestamp()) - 301))

    assert (status, answer["error"]) == (401, "stale_timestamp")


def test_a_slack_click_by_someone_else_is_forbidden_and_nothing_acts():
    harness, request_id = seeded()
    body = slack_body(slack_click(pending_request(request_id), user="U0INTRUDER"))
    before = harness.snapshot()

    status, answer = slack(harness, body)

    assert (status, answer["error"]) == (403, "not_an_approver")
    assert harness.snapshot() == before


def test_the_slack_events_handshake_is_answered_with_its_challenge():
    harness = Harness()
    body = b'{"type": "url_verification", "challenge": "3eZbrw1a", "token": "x"}'

    assert slack(harness, body) == (200, {"challenge": "3eZbrw1a"})


def test_an_unsigned_slack_handshake_is_unauthorised():
    body = b'{"type": "url_verification", "challenge": "3eZbrw1a"}'
    status, answer = slack(Harness(), body, {"Content-Type": "application/json"})
    assert (status, answer["error"]) == (401, "missing_signature")


def test_headers_are_read_whatever_their_case():
    harness, request_id = seeded()
    body = slack_body(slack_click(pending_request(request_id), "deny"))
    lowered = {k.lower(): v for k, v in slack_headers(body).items()}

    status, answer = slack(harness, body, lowered)

    assert (status, answer["status"]) == (200, "denied")


def test_a_slack_message_update_that_fails_leaves_the_decision_standing():
    harness, request_id = seeded()

    def refuse(url, request):
        raise ConnectionError("hooks.slack.com unreachable")

    harness.poster.replace = refuse
    status, answer = slack(harness, slack_body(slack_click(pending_request(request_id))))

    assert (status, answer["status"]) == (200, "approved")


def test_a_teams_approval_answers_with_the_decided_card_and_replies_in_the_thread():
    harness, request_id = seeded(channel="teams")

    status, answer = teams(harness, teams_invoke(pending_request(request_id)))

    assert status == 200
    assert answer["statusCode"] == 200
    assert answer["type"] == "application/vnd.microsoft.card.adaptive"
    assert "actions" not in answer["value"]
    assert answer["value"]["body"][-1]["text"].startswith(f"Approved by {TEAMS_APPROVER} at ")
    [(click, replied)] = harness.poster.replied
    assert (click.activity_id, replied.status) == ("1767765488332", ApprovalStatus.APPROVED)
    assert len(harness.resume.calls) == 1


def test_a_teams_press_by_someone_else_is_forbidden_as_an_invoke_error():
    harness, request_id = seeded(channel="teams")
    before = harness.snapshot()

    status, answer = teams(harness, teams_invoke(pending_request(request_id), user="someone-else"))

    assert status == 403
    assert answer == {
        "statusCode": 403,
        "type": "application/vnd.microsoft.error",
        "value": {
            "code": "not_an_approver",
            "message": f"someone-else is not an approver of request {request_id}",
        },
    }
    assert harness.snapshot() == before


def test_a_teams_invoke_without_a_token_is_unauthorised():
    harness, request_id = seeded(channel="teams")

    status, answer = teams(harness, teams_invoke(pending_request(request_id)), {})

    assert (status, answer["value"]["code"]) == (401, "missing_token")


def test_a_replayed_teams_press_shows_the_decided_card_and_acts_no_more():
    harness, request_id = seeded(channel="teams")
    activity = teams_invoke(pending_request(request_id), "deny")
    teams(harness, activity)
    before = harness.snapshot()

    status, answer = teams(harness, activity)

    assert status == 200
    assert answer["value"]["body"][-1]["text"].startswith("Denied by ")
    assert harness.snapshot() == before


def test_a_channel_that_is_not_configured_is_not_found():
    callbacks = ApprovalCallbacks(Harness().service)

    assert callbacks.slack({}, b"").status == 404
    assert callbacks.teams({}, b"").status == 404
