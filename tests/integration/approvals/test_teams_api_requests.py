"""The Bot Framework adapters at the HTTP layer: the bot's token request, Connector posts and
replies, and the signing keys fetched once and refreshed only when they must be."""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx
import orjson
import pytest

from costplane.adapters.rest import CloudApiError, CloudUnreachable, RestClient, StaticToken
from costplane.adapters.teams import BotConnector, JwksKeys, TeamsPoster, bot_token
from costplane.approvals.messages import teams_card
from costplane.approvals.model import ApprovalStatus
from costplane.approvals.teams_callback import TeamsClick
from tests.support.tagging import NOW
from tests.unit.approvals.approvals_support import APP_ID, KID, SERVICE_URL, jwks, pending_request

CONVERSATION = "19:c1a8d1d2f0e34c1d8a2b3c4d5e6f7a8b@thread.tacv2"
ACTIVITIES = (
    "https://smba.trafficmanager.net/amer/56653e9d-2158-46ee-90d7-675c39642038"
    "/v3/conversations/19%3Ac1a8d1d2f0e34c1d8a2b3c4d5e6f7a8b%40thread.tacv2/activities"
)


class Recorder:
    def __init__(self, *responses: httpx.Response | Exception) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def client(self) -> httpx.Client:
        return httpx.Client(transport=httpx.MockTransport(self))


def connector(recorder: Recorder) -> BotConnector:
    return BotConnector(RestClient(recorder.client(), StaticToken("bot-token")))


def test_the_bot_token_is_requested_with_client_credentials_and_cached():
    recorder = Recorder(httpx.Response(200, json={"access_token": "t-1", "expires_in": 3599}))
    token = bot_token(recorder.client(), APP_ID, "s3cret")

    assert [token.token(), token.token()] == ["t-1", "t-1"]

    [sent] = recorder.requests
    assert (sent.method, str(sent.url)) == (
        "POST",
        "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token",
    )
    assert parse_qs(sent.content.decode()) == {
        "grant_type": ["client_credentials"],
        "client_id": [APP_ID],
        "client_secret": ["s3cret"],
        "scope": ["https://api.botframework.com/.default"],
    }


def test_a_refused_bot_token_is_an_error():
    refusal = {"error": "invalid_client", "error_description": "AADSTS7000215"}
    recorder = Recorder(httpx.Response(401, json=refusal))
    with pytest.raises(CloudApiError):
        bot_token(recorder.client(), APP_ID, "wrong", tenant="contoso.onmicrosoft.com").token()
    assert recorder.requests[0].url.path == "/contoso.onmicrosoft.com/oauth2/v2.0/token"


def test_a_request_is_posted_as_an_adaptive_card_into_the_conversation():
    recorder = Recorder(httpx.Response(201, json={"id": "1767765488332"}))
    request = pending_request(channel="teams")

    TeamsPoster(connector(recorder), SERVICE_URL, CONVERSATION).post(request)

    [sent] = recorder.requests
    assert (sent.method, str(sent.url)) == ("POST", ACTIVITIES)
    assert sent.headers["Authorization"] == "Bearer bot-token"
    assert orjson.loads(sent.content) == {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "content": teams_card(request),
            }
        ],
    }


def test_the_decision_is_replied_in_the_clicked_cards_thread():
    recorder = Recorder(httpx.Response(201, json={"id": "1767765500000"}))
    decided = pending_request(status=ApprovalStatus.APPROVED, decided_by="c5e9", decided_at=NOW)
    click = TeamsClick("req-1", "approve", "c5e9", SERVICE_URL, CONVERSATION, "1767765488332")

    connector(recorder).reply(click, decided)

    [sent] = recorder.requests
    assert str(sent.url) == f"{ACTIVITIES}/1767765488332"
    assert orjson.loads(sent.content) == {
        "type": "message",
        "text": "approved by c5e9 at 2026-11-27T12:00:00+00:00",
        "replyToId": "1767765488332",
    }


def test_a_click_without_a_thread_is_not_replied_to():
    recorder = Recorder(httpx.Response(201))
    connector(recorder).reply(
        TeamsClick("req-1", "deny", "c5e9", SERVICE_URL, None, None), pending_request()
    )
    assert recorder.requests == []


def test_a_connector_refusal_is_an_error_naming_the_conversation():
    forbidden = {"error": {"code": "BotNotInConversationRoster", "message": "not a member"}}
    recorder = Recorder(httpx.Response(403, json=forbidden))
    with pytest.raises(CloudApiError) as caught:
        TeamsPoster(connector(recorder), SERVICE_URL, CONVERSATION).post(pending_request())
    assert caught.value.code == "BotNotInConversationRoster"


class Ticks:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_signing_keys_are_fetched_once_and_served_from_memory():
    recorder = Recorder(httpx.Response(200, json=jwks()))
    keys = JwksKeys(recorder.client(), "https://login.botframework.com/v1/.well-known/keys")

    assert keys.key(KID) is not None
    assert keys.key(KID) is keys.key(KID)
    assert [str(r.url) for r in recorder.requests] == [
        "https://login.botframework.com/v1/.well-known/keys"
    ]


def test_an_unknown_key_id_refreshes_the_keys_at_most_once_per_interval():
    recorder = Recorder(httpx.Response(200, json=jwks()))
    clock = Ticks()
    keys = JwksKeys(recorder.client(), min_refresh=300, clock=clock)
    keys.key(KID)

    clock.now += 10
    assert keys.key("forged-1") is None
    assert keys.key("forged-2") is None
    assert len(recorder.requests) == 1

    clock.now += 300
    assert keys.key("rotated-in") is None
    assert len(recorder.requests) == 2


def test_keys_older_than_a_day_are_fetched_again():
    recorder = Recorder(httpx.Response(200, json=jwks()))
    clock = Ticks()
    keys = JwksKeys(recorder.client(), clock=clock)
    keys.key(KID)

    clock.now += 24 * 3600
    keys.key(KID)

    assert len(recorder.requests) == 2


def test_cached_keys_are_kept_when_a_refresh_gets_no_answer():
    recorder = Recorder(
        httpx.Response(200, json=jwks()), httpx.ConnectError("login.botframework.com down")
    )
    clock = Ticks()
    keys = JwksKeys(recorder.client(), clock=clock)
    keys.key(KID)

    clock.now += 24 * 3600
    assert keys.key(KID) is not None


def test_no_keys_at_all_is_an_error():
    recorder = Recorder(httpx.ConnectError("login.botframework.com down"))
    with pytest.raises(CloudUnreachable):
        JwksKeys(recorder.client()).key(KID)
