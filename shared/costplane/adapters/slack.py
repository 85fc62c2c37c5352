"""Slack Web API over the shared httpx client: post approval requests, replace decided ones.

Slack answers most API errors with HTTP 200 and `{"ok": false, "error": "channel_not_found"}`,
so success is `ok`, not the status code. A click's `response_url` needs no token: it is a
capability Slack handed to us for that one message.
"""

from __future__ import annotations

from typing import Any

import httpx
import orjson

from costplane.approvals.messages import slack_escalation, slack_message
from costplane.approvals.model import ApprovalRequest, Subject

SLACK_API = "https://slack.com/api"
JSON = "application/json; charset=utf-8"


class SlackApiError(RuntimeError):
    """Slack refused a call; names the method, the HTTP status and Slack's error code."""

    def __init__(self, method: str, response: httpx.Response) -> None:
        self.method = method
        self.status = response.status_code
        self.error = _body(response).get("error") or response.reason_phrase
        super().__init__(f"Slack {method} failed with HTTP {self.status}: {self.error}")


class SlackResponder:
    """Answers clicks through their `response_url`; needs no token."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def replace(self, response_url: str, request: ApprovalRequest) -> None:
        """Replace the clicked message by the decided one, buttons gone."""
        body = {"replace_original": True, **slack_message(request)}
        response = self.http.post(
            response_url, content=orjson.dumps(body), headers={"Content-Type": JSON}
        )
        if response.is_error:
            raise SlackApiError("response_url", response)


class SlackPoster:
    """Posts to one channel (`channel`: a channel id) with a bot token."""

    def __init__(
        self, http: httpx.Client, token: str, channel: str, *, api: str = SLACK_API
    ) -> None:
        self.http = http
        self.token = token
        self.channel = channel
        self.api = api.rstrip("/")

    def post(self, request: ApprovalRequest) -> None:
        self._call("chat.postMessage", {"channel": self.channel, **slack_message(request)})

    def escalate(self, subject: Subject, to: str) -> None:
        self._call("chat.postMessage", {"channel": to, **slack_escalation(subject)})

    def _call(self, method: str, arguments: dict[str, Any]) -> dict[str, Any]:
        response = self.http.post(
            f"{self.api}/{method}",
            content=orjson.dumps(arguments),
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": JSON},
        )
        body = _body(response)
        if response.is_error or body.get("ok") is not True:
            raise SlackApiError(method, response)
        return body


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return {}
    return body if isinstance(body, dict) else {}
