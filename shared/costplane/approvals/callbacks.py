"""The callback endpoints' one service: verify, decide, answer. Provider-neutral HTTP.

Each cloud's function hands over the request headers and the raw body and returns the answer
as its framework's response. Rejections carry their status (401 forged or stale, 403 not an
approver, 400 malformed, 404 unknown) and act on nothing; a click on a request that was
decided already is answered 200 "already decided" and acts on nothing again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import orjson

from costplane.approvals import slack_callback, teams_callback
from costplane.approvals.errors import CallbackRejected
from costplane.approvals.messages import TEAMS_CARD_TYPE, teams_card
from costplane.approvals.model import ApprovalRequest, Resolution
from costplane.approvals.service import ApprovalService, describe
from costplane.approvals.teams_callback import TeamsClick, TokenVerifier

log = logging.getLogger("costplane.approvals")

TEAMS_ERROR_TYPE = "application/vnd.microsoft.error"

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class HttpAnswer:
    status: int
    body: bytes
    content_type: str = "application/json"


class Headers(Protocol):
    """Request headers as any framework gives them (dict, Mapping, werkzeug Headers)."""

    def items(self) -> Iterable[tuple[str, str]]: ...


Callback = Callable[[Headers, bytes], HttpAnswer]
"""An endpoint of `ApprovalCallbacks`: the request's headers and raw body in, the answer out."""


class SlackReplies(Protocol):
    """Replaces the clicked message with its decided form (through the click's response_url)."""

    def replace(self, response_url: str, request: ApprovalRequest) -> None: ...


class TeamsReplies(Protocol):
    """Replies in the clicked card's thread with who decided."""

    def reply(self, click: TeamsClick, request: ApprovalRequest) -> None: ...


@dataclass(slots=True)
class SlackEndpoint:
    signing_secret: bytes
    replies: SlackReplies | None = None


@dataclass(slots=True)
class TeamsEndpoint:
    verifier: TokenVerifier
    replies: TeamsReplies | None = None


class ApprovalCallbacks:
    def __init__(
        self,
        service: ApprovalService,
        slack: SlackEndpoint | None = None,
        teams: TeamsEndpoint | None = None,
    ) -> None:
        self.service = service
        self.slack_endpoint = slack
        self.teams_endpoint = teams

    def slack(self, headers: Headers, body: bytes) -> HttpAnswer:
        """A Slack interactivity (or Events API handshake) request."""
        try:
            endpoint = _configured(self.slack_endpoint, "slack")
            lowered = _lower(headers)
            slack_callback.verify_signature(
                endpoint.signing_secret,
                body,
                lowered.get(slack_callback.TIMESTAMP_HEADER),
                lowered.get(slack_callback.SIGNATURE_HEADER),
                self.service.clock.now().timestamp(),
            )
            parsed = slack_callback.parse(body)
            if isinstance(parsed, slack_callback.UrlVerification):
                return _json(200, {"challenge": parsed.challenge})
            resolution = self.service.decide(parsed.request_id, parsed.verdict, parsed.user)
        except CallbackRejected as exc:
            _log_refusal(exc, "slack")
            return _json(exc.status, {"error": exc.code, "reason": exc.reason})
        if resolution.acted and parsed.response_url and endpoint.replies is not None:
            _best_effort("slack reply", endpoint.replies.replace, parsed.response_url, resolution)
        return _json(200, summary(resolution))

    def teams(self, headers: Headers, body: bytes) -> HttpAnswer:
        """A Bot Connector invoke from an approval card's Action.Execute button."""
        try:
            endpoint = _configured(self.teams_endpoint, "teams")
            activity = endpoint.verifier.verify(
                _lower(headers).get("authorization"), body, self.service.clock.now().timestamp()
            )
            click = teams_callback.parse_click(activity)
            resolution = self.service.decide(click.request_id, click.verdict, click.user)
        except CallbackRejected as exc:
            _log_refusal(exc, "teams")
            error = {"code": exc.code, "message": exc.reason}
            return _json(exc.status, _invoke(exc.status, TEAMS_ERROR_TYPE, error))
        if resolution.acted and endpoint.replies is not None:
            _best_effort("teams reply", endpoint.replies.reply, click, resolution)
        return _json(200, _invoke(200, TEAMS_CARD_TYPE, teams_card(resolution.request)))

    def expire(self) -> list[dict[str, Any]]:
        """The expiry sweep, summarised as the endpoints answer and log a resolution."""
        return [summary(resolution) for resolution in self.service.expire_pending()]


def summary(resolution: Resolution) -> dict[str, Any]:
    """What the endpoints answer and log about a resolution."""
    request = resolution.request
    said = describe(request)
    return {
        "request_id": request.id,
        "status": request.status.value,
        "acted": resolution.acted,
        "then": request.then.kind.value if resolution.then is not None else None,
        "message": said if resolution.acted else f"already decided: {said}",
    }


def _configured(endpoint: T | None, channel: str) -> T:
    if endpoint is None:
        raise CallbackRejected(404, "channel_not_configured", f"{channel} is not configured")
    return endpoint


def _log_refusal(exc: CallbackRejected, channel: str) -> None:
    log.warning("%s callback refused: %s %s: %s", channel, exc.status, exc.code, exc.reason)


def _best_effort(
    what: str,
    send: Callable[[T, ApprovalRequest], None],
    target: T,
    resolution: Resolution,
) -> None:
    """Updating the message is a courtesy: the decision stands if it fails."""
    try:
        send(target, resolution.request)
    except Exception:
        log.exception("%s for approval request %s failed", what, resolution.request.id)


def _invoke(status: int, kind: str, value: Any) -> dict[str, Any]:
    """An Adaptive Card invoke response (Universal Actions)."""
    return {"statusCode": status, "type": kind, "value": value}


def _lower(headers: Headers) -> dict[str, str]:
    return {key.lower(): value for key, value in headers.items()}


def _json(status: int, body: Any) -> HttpAnswer:
    return HttpAnswer(status, orjson.dumps(body))
