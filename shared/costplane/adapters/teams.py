"""Microsoft Teams through the Bot Framework over the shared httpx client: the bot's token,
the Bot Connector (post a card, reply in its thread) and the Bot Framework signing keys.

The bot authenticates with the client-credentials flow of its Entra app registration
(scope `https://api.botframework.com/.default`); the token is cached until shortly before it
expires. Signing keys are fetched once and kept for a day; a key id we do not know (a key
rotated in) triggers a refresh, at most once per `min_refresh` seconds, so that forged key ids
cannot make us hammer the endpoint.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx

from costplane.adapters.rest import (
    CachedToken,
    CloudUnreachable,
    RestClient,
    TokenProvider,
    body_of,
    check,
)
from costplane.approvals.messages import teams_attachment, teams_card, teams_escalation
from costplane.approvals.model import ApprovalRequest, Subject
from costplane.approvals.service import describe
from costplane.approvals.teams_callback import (
    BOT_FRAMEWORK_JWKS_URL,
    SigningKey,
    TeamsClick,
    signing_keys,
)

log = logging.getLogger("costplane.approvals")

LOGIN = "https://login.microsoftonline.com"
BOT_SCOPE = "https://api.botframework.com/.default"
KEYS_MAX_AGE_SECONDS = 24 * 3600
KEYS_MIN_REFRESH_SECONDS = 300


def bot_token(
    http: httpx.Client, app_id: str, password: str, tenant: str = "botframework.com"
) -> TokenProvider:
    """The bot's own bearer token for the Bot Connector, cached (client credentials)."""
    url = f"{LOGIN}/{tenant}/oauth2/v2.0/token"

    def fetch() -> tuple[str, float]:
        form = {
            "grant_type": "client_credentials",
            "client_id": app_id,
            "client_secret": password,
            "scope": BOT_SCOPE,
        }
        try:
            response = http.post(url, data=form)
        except httpx.TransportError as exc:
            raise CloudUnreachable(f"POST {url} got no answer: {exc}") from exc
        body = body_of(check(response, "bot token"))
        return str(body["access_token"]), time.time() + float(body["expires_in"])

    return CachedToken(fetch)


class BotConnector:
    """The Bot Connector REST API with the bot's token: send activities, reply in threads."""

    def __init__(self, rest: RestClient) -> None:
        self.rest = rest

    def send(
        self,
        service_url: str,
        conversation: str,
        activity: dict[str, Any],
        reply_to: str | None = None,
    ) -> None:
        """POST …/v3/conversations/{id}/activities, or …/activities/{reply_to} for a reply."""
        path = f"/v3/conversations/{quote(conversation, safe='')}/activities"
        if reply_to is not None:
            path += f"/{quote(reply_to, safe='')}"
        resource = f"teams conversation {conversation}"
        self.rest.call("POST", service_url.rstrip("/") + path, resource=resource, body=activity)

    def reply(self, click: TeamsClick, request: ApprovalRequest) -> None:
        """Say in the clicked card's thread who decided, at the serviceUrl the token vouched for."""
        if click.conversation_id is None or click.activity_id is None:
            return
        message = {"type": "message", "text": describe(request), "replyToId": click.activity_id}
        self.send(click.service_url, click.conversation_id, message, reply_to=click.activity_id)


class TeamsPoster:
    """Posts cards into one conversation (a channel or chat the bot is installed in)."""

    def __init__(self, connector: BotConnector, service_url: str, conversation_id: str) -> None:
        self.connector = connector
        self.service_url = service_url
        self.conversation_id = conversation_id

    def post(self, request: ApprovalRequest) -> None:
        message = _card_message(teams_card(request))
        self.connector.send(self.service_url, self.conversation_id, message)

    def escalate(self, subject: Subject, to: str) -> None:
        self.connector.send(self.service_url, to, _card_message(teams_escalation(subject)))


class JwksKeys:
    """Bot Framework signing keys from `url`, cached; implements SigningKeys."""

    def __init__(
        self,
        http: httpx.Client,
        url: str = BOT_FRAMEWORK_JWKS_URL,
        *,
        max_age: float = KEYS_MAX_AGE_SECONDS,
        min_refresh: float = KEYS_MIN_REFRESH_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.http = http
        self.url = url
        self.max_age = max_age
        self.min_refresh = min_refresh
        self._clock = clock
        self._lock = threading.Lock()
        self._keys: dict[str, SigningKey] | None = None
        self._fetched = 0.0

    def key(self, kid: str) -> SigningKey | None:
        keys = self._keys
        if keys is not None and kid in keys and self._clock() - self._fetched < self.max_age:
            return keys[kid]  # the warm path: no lock, no I/O
        with self._lock:
            now = self._clock()
            if self._stale(kid, now - self._fetched):
                self._refresh(now)
            return self._keys.get(kid) if self._keys is not None else None

    def _stale(self, kid: str, age: float) -> bool:
        """Too old, or missing a key that a refresh not too recent might bring."""
        if self._keys is None or age >= self.max_age:
            return True
        return kid not in self._keys and age >= self.min_refresh

    def _refresh(self, now: float) -> None:
        try:
            response = self.http.get(self.url)
        except httpx.TransportError as exc:
            if self._keys is None:
                raise CloudUnreachable(f"GET {self.url} got no answer: {exc}") from exc
            log.warning("keeping cached signing keys: GET %s failed: %s", self.url, exc)
            return
        self._keys = signing_keys(body_of(check(response, "bot framework signing keys")))
        self._fetched = now


def _card_message(card: dict[str, Any]) -> dict[str, Any]:
    return {"type": "message", "attachments": [teams_attachment(card)]}
