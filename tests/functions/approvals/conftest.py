"""What the approvals function tests share: the chat and cloud APIs the functions call, answered
over httpx.MockTransport (Bot Framework keys and token, Slack's response_url, the Bot Connector,
ARM and Compute), the channel secrets in the environment, requests seeded as the policy runner
opens them, and callbacks signed now (the functions read the system clock) as Slack and the Bot
Connector sign them."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest

from costplane.approvals.model import ApprovalRequest, Verdict
from costplane.approvals.ports import ApprovalStore
from costplane.approvals.resume_callback import SIGNATURE_HEADER, TIMESTAMP_HEADER
from costplane.approvals.slack_callback import signature
from costplane.domain.decisions import Action, ActionKind, ActionStatus, Decision, Outcome
from costplane.engine.ports import ResourceRef
from tests.unit.approvals.approvals_support import (
    APP_ID,
    SLACK_APPROVER,
    SLACK_SECRET,
    TEAMS_APPROVER,
    bot_token,
    jwks,
    pending_request,
    slack_body,
    slack_click,
    teams_invoke,
    wall_clock_claims,
)

RESPONSE_URL = "https://hooks.slack.com/actions/T111/111/random-value"
RESUME_SECRET = b"resume-signing-secret-for-tests"
OPERATOR = "ops@example.com"


@dataclass
class Apis:
    """Every HTTP API the approvals functions reach; 404 for anything else."""

    requests: list[httpx.Request] = field(default_factory=list)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        host, path = request.url.host, request.url.path
        if host == "login.botframework.com":
            return httpx.Response(200, json=jwks())
        if host == "login.microsoftonline.com":
            return httpx.Response(200, json={"access_token": "bot-token", "expires_in": 3599})
        if host == "hooks.slack.com":
            return httpx.Response(200, json={"ok": True})
        if host == "smba.trafficmanager.net":
            return httpx.Response(201, json={"id": "1767765500000"})
        if "broken" in path:
            return httpx.Response(409, json={"error": {"code": "Conflict", "message": "busy"}})
        if host == "management.azure.com":
            return _arm(request)
        if host == "compute.googleapis.com":
            return _compute(request)
        return httpx.Response(
            404, json={"error": {"code": "NotFound", "message": str(request.url)}}
        )

    def calls(self, host: str) -> list[tuple[str, str, Any]]:
        """(method, URL, JSON body or None) of the requests to `host`, in order."""
        return [
            (r.method, str(r.url), _json(r.content)) for r in self.requests if r.url.host == host
        ]


OPERATION = {"kind": "compute#operation", "status": "RUNNING"}


def _arm(request: httpx.Request) -> httpx.Response:
    """Power actions accepted; a VM's tags hold the record of its suspension."""
    path = request.url.path
    if path.endswith(("/deallocate", "/start")):
        return httpx.Response(202, headers={"Location": "https://management.azure.com/op/1"})
    if path.endswith("/providers/Microsoft.Resources/tags/default"):
        tags = {"costplane-suspended": "power=running"}
        return httpx.Response(200, json={"properties": {"tags": tags}})
    return httpx.Response(404, json={"error": {"code": "NotFound", "message": path}})


def _compute(request: httpx.Request) -> httpx.Response:
    """Stop, start and setLabels accepted; a stopped instance labelled with its suspension."""
    if request.method == "POST":
        return httpx.Response(200, json=OPERATION)
    labels = {"costplane-suspended": "status-running"}
    instance = {"status": "TERMINATED", "labels": labels, "labelFingerprint": "42WmSpB8rSM="}
    return httpx.Response(200, json=instance)


def _json(content: bytes) -> Any:
    try:
        return orjson.loads(content) if content else None
    except orjson.JSONDecodeError:
        return content.decode()


@pytest.fixture
def chat_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COSTPLANE_SLACK_SIGNING_SECRET", SLACK_SECRET.decode())
    monkeypatch.setenv("COSTPLANE_TEAMS_APP_ID", APP_ID)
    monkeypatch.setenv("COSTPLANE_TEAMS_APP_PASSWORD", "bot-password")
    monkeypatch.setenv("COSTPLANE_RESUME_SIGNING_SECRET", RESUME_SECRET.decode())


@pytest.fixture
def apis(chat_env: None, serve: Callable[[Any], None]) -> Apis:
    fake = Apis()
    serve(fake)
    return fake


def seed(
    store: ApprovalStore,
    ref: ResourceRef,
    *,
    on_expiry: Verdict = "deny",
    expires_in: timedelta = timedelta(hours=4),
    channel: str = "slack",
    then: ActionKind = ActionKind.STOP,
) -> ApprovalRequest:
    """A pending request to stop `ref` (or `then` it), opened a minute ago by the wall clock."""
    now = datetime.now(UTC)
    request = pending_request(
        f"req-{time.time_ns()}",
        subject=pending_request().subject.model_copy(update={"resource": ref}),
        created=now - timedelta(minutes=1),
        expires=now + expires_in,
        on_expiry=on_expiry,
        channel=channel,
        then=Action(kind=then),
    )
    assert store.add(request)
    return request


def signed_slack(
    request: ApprovalRequest,
    verdict: str = "approve",
    user: str = SLACK_APPROVER,
    secret: bytes = SLACK_SECRET,
) -> tuple[dict[str, str], bytes]:
    """A click on `request`'s button, form-encoded and signed now, as Slack sends it."""
    body = slack_body(slack_click(request, verdict, user))
    timestamp = str(int(time.time()))
    headers = {
        "content-type": "application/x-www-form-urlencoded",
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": signature(secret, timestamp, body),
        "user-agent": "Slackbot 1.0 (+https://api.slack.com/robots)",
    }
    return headers, body


def signed_teams(
    request: ApprovalRequest, verdict: str = "approve", user: str = TEAMS_APPROVER
) -> tuple[dict[str, str], bytes]:
    """A press of `request`'s card button with a Bot Connector token valid now."""
    body = orjson.dumps(teams_invoke(request, verdict, user))
    headers = {
        "authorization": f"Bearer {bot_token(wall_clock_claims())}",
        "content-type": "application/json; charset=utf-8",
    }
    return headers, body


def signed_resume(
    target: str, by: str = OPERATOR, secret: bytes = RESUME_SECRET
) -> tuple[dict[str, str], bytes]:
    """A resume request signed now with the deployment's resume signing secret."""
    body = orjson.dumps({"target": target, "by": by})
    timestamp = str(int(time.time()))
    headers = {
        "content-type": "application/json",
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: signature(secret, timestamp, body),
    }
    return headers, body


def suspended(ref: ResourceRef, undo: dict[str, str], decision_id: str = "d-suspend") -> Decision:
    """The audit record of a suspend of `ref` that ran, with the state that undoes it."""
    return Decision(
        decision_id=decision_id,
        policy="gpu-budget",
        provider=ref.provider.value,
        account=ref.account,
        region=ref.region,
        resource_id=ref.resource_id,
        resource_type=ref.resource_type,
        outcome=Outcome.VIOLATION,
        actions=[Action(kind=ActionKind.SUSPEND, status=ActionStatus.DONE, params={"undo": undo})],
        dry_run=False,
        decided_at=datetime.now(UTC),
    )
