"""Slack request signatures: `v0=` HMAC-SHA256 of `v0:{timestamp}:{raw body}`, five minutes
either way, compared in constant time; the body is read only once the signature holds."""

from __future__ import annotations

import pytest

from costplane.approvals.errors import CallbackRejected
from costplane.approvals.slack_callback import (
    SlackClick,
    UrlVerification,
    parse,
    signature,
    verify_signature,
)
from tests.unit.approvals.approvals_support import (
    EVENTS,
    SLACK_APPROVER,
    event,
    pending_request,
    slack_body,
    slack_click,
)

# The worked example of https://api.slack.com/authentication/verifying-requests-from-slack
DOC_SECRET = b"8f742231b10e8888abcd99yyyzzz85a5"
DOC_TIMESTAMP = "1531420618"
DOC_BODY = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&"
    b"channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&"
    b"command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands"
    b"%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&"
    b"trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
DOC_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
NOW = float(DOC_TIMESTAMP)


def rejection(**overrides) -> CallbackRejected:
    arguments = {
        "secret": DOC_SECRET,
        "body": DOC_BODY,
        "timestamp": DOC_TIMESTAMP,
        "sent": DOC_SIGNATURE,
        "now": NOW,
    }
    arguments.update(overrides)
    with pytest.raises(CallbackRejected) as caught:
        verify_signature(**arguments)
    return caught.value


def test_signature_matches_slacks_documented_example():
    assert signature(DOC_SECRET, DOC_TIMESTAMP, DOC_BODY) == DOC_SIGNATURE


def test_slacks_documented_request_is_accepted_at_its_time():
    verify_signature(DOC_SECRET, DOC_BODY, DOC_TIMESTAMP, DOC_SIGNATURE, NOW)


@pytest.mark.parametrize("skew", [-300, 300])
def test_a_request_exactly_five_minutes_off_is_accepted(skew):
    verify_signature(DOC_SECRET, DOC_BODY, DOC_TIMESTAMP, DOC_SIGNATURE, NOW + skew)


@pytest.mark.parametrize("skew", [-301, 301, 86_400])
def test_a_request_more_than_five_minutes_off_either_way_is_stale(skew):
    refused = rejection(now=NOW + skew)
    assert (refused.status, refused.code) == (401, "stale_timestamp")


def test_a_body_changed_by_one_byte_is_refused():
    refused = rejection(body=DOC_BODY.replace(b"foobar", b"foobaz"))
    assert (refused.status, refused.code) == (401, "bad_signature")


def test_a_signature_made_with_another_secret_is_refused():
    forged = signature(b"not-the-signing-secret", DOC_TIMESTAMP, DOC_BODY)
    assert rejection(sent=forged).code == "bad_signature"


def test_a_signature_moved_to_another_timestamp_is_refused():
    assert rejection(timestamp=str(int(NOW) + 1)).code == "bad_signature"


@pytest.mark.parametrize(
    "sent", [DOC_SIGNATURE.upper(), DOC_SIGNATURE[3:], "v1=" + DOC_SIGNATURE[3:]]
)
def test_signatures_in_another_form_are_refused(sent):
    assert rejection(sent=sent).code == "bad_signature"


@pytest.mark.parametrize("missing", ["timestamp", "sent"])
def test_a_request_without_the_headers_is_refused(missing):
    refused = rejection(**{missing: None})
    assert (refused.status, refused.code) == (401, "missing_signature")


@pytest.mark.parametrize("timestamp", ["1531420618.5", "-1531420618", "١٥٣١٤٢٠٦١٨", "9" * 40])
def test_a_timestamp_that_is_not_unix_seconds_is_refused(timestamp):
    assert rejection(timestamp=timestamp).code == "bad_timestamp"


def test_the_events_api_handshake_yields_its_challenge():
    raw = (EVENTS / "slack" / "slack-events-api-url-verification-challenge.json").read_bytes()
    assert parse(raw) == UrlVerification("3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P")


def test_a_click_on_a_requests_button_names_the_request_verdict_and_user():
    request = pending_request("req-7")
    payload = slack_click(request, "deny")

    assert parse(slack_body(payload)) == SlackClick(
        request_id="req-7",
        verdict="deny",
        user=SLACK_APPROVER,
        response_url="https://hooks.slack.com/actions/T111/111/random-value",
    )


def test_the_real_payloads_own_button_is_not_one_of_ours():
    payload = event("slack/slack-interactivity-block-actions-button-payload.json")
    with pytest.raises(CallbackRejected) as caught:
        parse(slack_body(payload))
    assert (caught.value.status, caught.value.code) == (400, "unknown_action")


def test_a_response_url_outside_slack_is_ignored():
    payload = slack_click(pending_request())
    payload["response_url"] = "https://attacker.example/hook"
    assert parse(slack_body(payload)).response_url is None


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"payload=%7Bnot+json", "malformed_json"),
        (b"text=hello", "missing_payload"),
        (b"payload=1&payload=2", "missing_payload"),
        (b"payload=%5B%5D", "malformed_json"),
        (b'{"type": "event_callback"}', "unsupported_event"),
        (b"payload=%7B%22type%22%3A%22view_submission%22%7D", "unsupported_payload"),
        (b"\xff\xfe", "malformed_form"),
    ],
)
def test_bodies_that_are_not_clicks_are_malformed(body, code):
    with pytest.raises(CallbackRejected) as caught:
        parse(body)
    assert (caught.value.status, caught.value.code) == (400, code)
