"""SlackPoster and SlackResponder at the HTTP layer: the exact requests Slack receives."""

from __future__ import annotations

import httpx
import orjson
import pytest

from costplane.adapters.slack import SlackApiError, SlackPoster, SlackResponder
from costplane.approvals.messages import slack_escalation, slack_message
from costplane.approvals.model import ApprovalStatus
from tests.support.tagging import NOW
from tests.unit.approvals.approvals_support import pending_request

TOKEN = "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy"
POSTED = {"ok": True, "channel": "C0APPROVALS", "ts": "1764244800.000100"}


class SlackApi:
    """Answers every request with `answer`; keeps the requests."""

    def __init__(self, status: int = 200, answer: dict | None = None) -> None:
        self.status = status
        self.answer = POSTED if answer is None else answer
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(self.status, json=self.answer)

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))


def test_a_request_is_posted_with_chat_post_message_to_the_configured_channel():
    api = SlackApi()
    request = pending_request()

    SlackPoster(api.client(), TOKEN, "C0APPROVALS").post(request)

    [sent] = api.requests
    assert (sent.method, str(sent.url)) == ("POST", "https://slack.com/api/chat.postMessage")
    assert sent.headers["Authorization"] == f"Bearer {TOKEN}"
    assert sent.headers["Content-Type"] == "application/json; charset=utf-8"
    assert orjson.loads(sent.content) == {"channel": "C0APPROVALS", **slack_message(request)}


def test_an_escalation_is_posted_to_its_recipient_channel():
    api = SlackApi()
    subject = pending_request().subject

    SlackPoster(api.client(), TOKEN, "C0APPROVALS").escalate(subject, "C0LEADS")

    [sent] = api.requests
    assert orjson.loads(sent.content) == {"channel": "C0LEADS", **slack_escalation(subject)}


def test_slacks_ok_false_is_an_error_naming_slacks_code():
    api = SlackApi(answer={"ok": False, "error": "channel_not_found"})

    with pytest.raises(SlackApiError) as caught:
        SlackPoster(api.client(), TOKEN, "C0GONE").post(pending_request())

    assert (caught.value.method, caught.value.error) == ("chat.postMessage", "channel_not_found")
    assert str(caught.value) == "Slack chat.postMessage failed with HTTP 200: channel_not_found"


def test_a_rate_limited_post_is_an_error():
    api = SlackApi(status=429, answer={"ok": False, "error": "ratelimited"})
    with pytest.raises(SlackApiError) as caught:
        SlackPoster(api.client(), TOKEN, "C0APPROVALS").post(pending_request())
    assert caught.value.status == 429


def test_a_decided_message_replaces_the_original_through_the_response_url_without_a_token():
    api = SlackApi(answer={"ok": True})
    decided = pending_request(status=ApprovalStatus.APPROVED, decided_by="U1", decided_at=NOW)
    url = "https://hooks.slack.com/actions/T111/111/random-value"

    SlackResponder(api.client()).replace(url, decided)

    [sent] = api.requests
    assert (sent.method, str(sent.url)) == ("POST", url)
    assert "Authorization" not in sent.headers
    assert orjson.loads(sent.content) == {"replace_original": True, **slack_message(decided)}


def test_a_response_url_that_refuses_is_an_error():
    api = SlackApi(status=404, answer={"ok": False, "error": "expired_url"})
    with pytest.raises(SlackApiError):
        SlackResponder(api.client()).replace("https://hooks.slack.com/x", pending_request())
