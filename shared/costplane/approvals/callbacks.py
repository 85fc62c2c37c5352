"""The callback endpoints' one service: verify, decide, answer. Provider-neutral HTTP.

Each cloud's function hands over the request headers and the raw body and returns the answer
as its framework's response. Rejections carry their status (401 forged or stale, 403 not an
approver, 400 malformed, 404 unknown, 409 nothing to resume) and act on nothing; a click on a
request that was decided already is answered 200 "already decided" and acts on nothing again.
An approval whose action failed is answered 500 (the request is pending again: the approver
may press approve again). A resume, from a card's button or the signed resume route, undoes
the decision's action and is audited with who asked.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

import orjson

from costplane.approvals import resume_callback, slack_callback, teams_callback
from costplane.approvals.errors import CallbackRejected
from costplane.approvals.messages import TEAMS_CARD_TYPE, resumable, teams_card
from costplane.approvals.model import ApprovalRequest, Choice, Resolution
from costplane.approvals.ports import Resumer
from costplane.approvals.service import ApprovalService, describe, then_id
from costplane.approvals.teams_callback import TeamsClick, TokenVerifier
from costplane.domain.decisions import ActionStatus, Decision
from costplane.engine.resuming import NothingToResume

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


@dataclass(slots=True)
class ResumeEndpoint:
    """The signed resume route: the deployment's resume signing secret."""

    signing_secret: bytes


class ApprovalCallbacks:
    def __init__(
        self,
        service: ApprovalService,
        slack: SlackEndpoint | None = None,
        teams: TeamsEndpoint | None = None,
        resumer: Resumer | None = None,
        resume_route: ResumeEndpoint | None = None,
    ) -> None:
        self.service = service
        self.slack_endpoint = slack
        self.teams_endpoint = teams
        self.resumer = resumer
        self.resume_endpoint = resume_route

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
            outcome = self._choose(parsed.request_id, parsed.verdict, parsed.user)
        except CallbackRejected as exc:
            _log_refusal(exc, "slack")
            return _json(exc.status, {"error": exc.code, "reason": exc.reason})
        if isinstance(outcome, Decision):
            return _json(_resume_status(outcome), resumed(outcome))
        if outcome.acted and parsed.response_url and endpoint.replies is not None:
            _best_effort("slack reply", endpoint.replies.replace, parsed.response_url, outcome)
        return _json(500 if outcome.failed else 200, summary(outcome))

    def teams(self, headers: Headers, body: bytes) -> HttpAnswer:
        """A Bot Connector invoke from an approval card's Action.Execute button."""
        try:
            endpoint = _configured(self.teams_endpoint, "teams")
            activity = endpoint.verifier.verify(
                _lower(headers).get("authorization"), body, self.service.clock.now().timestamp()
            )
            click = teams_callback.parse_click(activity)
            outcome = self._choose(click.request_id, click.verdict, click.user)
        except CallbackRejected as exc:
            _log_refusal(exc, "teams")
            return _teams_error(exc.status, exc.code, exc.reason)
        if isinstance(outcome, Decision):
            status = _resume_status(outcome)
            if status != 200:
                return _teams_error(status, "resume_failed", outcome.reason)
            card = teams_card(self._request(click.request_id))
            card["body"].append({"type": "TextBlock", "text": outcome.reason, "wrap": True})
            return _json(200, _invoke(200, TEAMS_CARD_TYPE, card))
        if outcome.failed:
            return _teams_error(500, "action_failed", summary(outcome)["message"])
        if outcome.acted and endpoint.replies is not None:
            _best_effort("teams reply", endpoint.replies.reply, click, outcome)
        return _json(200, _invoke(200, TEAMS_CARD_TYPE, teams_card(outcome.request)))

    def resume(self, headers: Headers, body: bytes) -> HttpAnswer:
        """The signed resume route: undo a decision (by id or resource) for whoever asks."""
        try:
            endpoint = _configured(self.resume_endpoint, "resume")
            asked = resume_callback.verify(
                endpoint.signing_secret,
                _lower(headers),
                body,
                self.service.clock.now().timestamp(),
            )
            record = self._resume(asked.target, asked.by)
        except CallbackRejected as exc:
            _log_refusal(exc, "resume")
            return _json(exc.status, {"error": exc.code, "reason": exc.reason})
        return _json(_resume_status(record), resumed(record))

    def _choose(self, request_id: str, choice: Choice, by: str) -> Resolution | Decision:
        """A verdict on a pending request, or the resume of an approved one's action."""
        if choice != "resume":
            return self.service.decide(request_id, "approve" if choice == "approve" else "deny", by)
        request = self._request(request_id)
        if by not in request.approvers:
            raise CallbackRejected(
                403, "not_an_approver", f"{by} is not an approver of request {request_id}"
            )
        if not resumable(request):
            raise CallbackRejected(
                409, "not_resumable", f"request {request_id} ran no action that resume undoes"
            )
        return self._resume(then_id(request), by)

    def _request(self, request_id: str) -> ApprovalRequest:
        request = self.service.store.get(request_id)
        if request is None:
            raise CallbackRejected(404, "unknown_request", f"no approval request {request_id!r}")
        return request

    def _resume(self, target: str, by: str) -> Decision:
        resumer = _configured(self.resumer, "resume")
        try:
            return resumer.resume(target, by)
        except NothingToResume as exc:
            raise CallbackRejected(409, "nothing_to_resume", str(exc)) from None

    def routes(self) -> dict[str, Callback]:
        """The endpoints by the last segment of their path: /slack, /teams, /resume."""
        return {"slack": self.slack, "teams": self.teams, "resume": self.resume}

    def expire(self) -> list[dict[str, Any]]:
        """The expiry sweep, summarised as the endpoints answer and log a resolution."""
        return [summary(resolution) for resolution in self.service.expire_pending()]


def summary(resolution: Resolution) -> dict[str, Any]:
    """What the endpoints answer and log about a resolution."""
    request = resolution.request
    said = describe(request)
    if resolution.failed and resolution.then is not None:
        errors = "; ".join(a.error or "" for a in resolution.then.actions if a.error)
        said = f"the approved {request.then.kind.value} failed ({errors}); pending again"
    elif not resolution.acted:
        said = f"already decided: {said}"
    return {
        "request_id": request.id,
        "status": request.status.value,
        "acted": resolution.acted,
        "then": request.then.kind.value if resolution.then is not None else None,
        "message": said,
    }


def resumed(record: Decision) -> dict[str, Any]:
    """What the endpoints answer and log about a resume."""
    return {
        "resumed": record.decision_id,
        "resource_id": record.resource_id,
        "asked_by": record.actor,
        "actions": [
            {"kind": a.params.get("of"), "status": a.status.value, "error": a.error}
            for a in record.actions
        ],
        "message": record.reason,
    }


def _resume_status(record: Decision) -> int:
    """500 when an undo failed: the resume may be asked again."""
    return 500 if any(a.status is ActionStatus.FAILED for a in record.actions) else 200


def _teams_error(status: int, code: str, message: str) -> HttpAnswer:
    error = {"code": code, "message": message}
    return _json(status, _invoke(status, TEAMS_ERROR_TYPE, error))


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
