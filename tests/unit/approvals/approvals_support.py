"""Builders for approvals specifications: signed Slack and Teams callbacks built from the real
payloads in events/, an RSA key pair with its JWKS, and a service over an in-memory store
whose posters and resume record what they were asked to do."""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jwt
import orjson
from cryptography.hazmat.primitives.asymmetric import rsa

from costplane.adapters.approval_records import RecordApprovalStore
from costplane.adapters.state_records import RecordStateStore
from costplane.approvals.callbacks import ApprovalCallbacks, SlackEndpoint, TeamsEndpoint
from costplane.approvals.messages import slack_message, teams_card
from costplane.approvals.model import ApprovalRequest, Subject
from costplane.approvals.service import ApprovalService
from costplane.approvals.slack_callback import signature
from costplane.approvals.teams_callback import StaticKeys, TokenVerifier
from costplane.domain.decisions import Action, ActionKind, Decision, Outcome, Owner
from costplane.domain.events import Provider
from costplane.engine.ports import ResourceRef
from tests.support.stores import sqlite_approvals, sqlite_state
from tests.support.tagging import NOW, FixedClock

EVENTS = Path(__file__).resolve().parents[3] / "events"
SLACK_SECRET = b"8f742231b10e8888abcd99yyyzzz85a5"
APP_ID = "9a6f4bd5-3c2e-4e57-a2f7-5f4e0f1f8b11"
KID = "costplane-test-key"
SERVICE_URL = "https://smba.trafficmanager.net/amer/56653e9d-2158-46ee-90d7-675c39642038/"
SLACK_APPROVER = "U024BE7LH"
TEAMS_APPROVER = "c5e99701-2a32-49c1-a660-4629ceeb8c61"  # from.aadObjectId of the real invoke
REF = ResourceRef(
    provider=Provider.AWS,
    account="123456789012",
    region="us-east-1",
    resource_id="i-0123456789abcdef0",
    resource_type="aws.ec2.instance",
)


def event(name: str) -> dict[str, Any]:
    found: dict[str, Any] = orjson.loads((EVENTS / name).read_bytes())
    return found


# --- requests -------------------------------------------------------------------------------


def violation(policy: str = "gpu-budget", decision_id: str = "d-1") -> Decision:
    return Decision(
        decision_id=decision_id,
        policy=policy,
        provider="aws",
        account=REF.account,
        region=REF.region,
        resource_id=REF.resource_id,
        resource_type=REF.resource_type,
        owner=Owner(team="ml-research", source="tags"),
        outcome=Outcome.VIOLATION,
        reason="projected spend 124% of budget ml-research-monthly",
        dry_run=False,
        decided_at=NOW,
    )


def request_approval(**params: Any) -> Action:
    fields: dict[str, Any] = {
        "approvers": [SLACK_APPROVER, TEAMS_APPROVER],
        "channel": "slack",
        "then": "stop",
        "expires_after": "PT4H",
        "on_expiry": "deny",
    }
    fields.update(params)
    return Action(kind=ActionKind.REQUEST_APPROVAL, params=fields)


def pending_request(request_id: str = "req-1", **updates: Any) -> ApprovalRequest:
    fields: dict[str, Any] = {
        "id": request_id,
        "decision_id": "d-1",
        "subject": Subject(
            policy="gpu-budget",
            resource=REF,
            owner="ml-research",
            reason="projected spend 124% of budget ml-research-monthly",
        ),
        "then": Action(kind=ActionKind.STOP),
        "approvers": (SLACK_APPROVER, TEAMS_APPROVER),
        "channel": "slack",
        "created": NOW,
        "expires": NOW + timedelta(hours=4),
        "on_expiry": "deny",
    }
    fields.update(updates)
    return ApprovalRequest(**fields)


# --- a service whose effects are recorded ---------------------------------------------------


@dataclass
class RecordingPoster:
    posted: list[ApprovalRequest] = field(default_factory=list)
    escalated: list[tuple[Subject, str]] = field(default_factory=list)
    replaced: list[tuple[str, ApprovalRequest]] = field(default_factory=list)
    replied: list[tuple[Any, ApprovalRequest]] = field(default_factory=list)

    def post(self, request: ApprovalRequest) -> None:
        self.posted.append(request)

    def escalate(self, subject: Subject, to: str) -> None:
        self.escalated.append((subject, to))

    def replace(self, response_url: str, request: ApprovalRequest) -> None:
        self.replaced.append((response_url, request))

    def reply(self, click: Any, request: ApprovalRequest) -> None:
        self.replied.append((click, request))


@dataclass
class RecordingResume:
    """Records each approved action; `ok` False makes them fail, as a denied API call would."""

    calls: list[tuple[ResourceRef, Decision]] = field(default_factory=list)
    ok: bool = True

    def __call__(self, resource: ResourceRef, then: Decision) -> bool:
        self.calls.append((resource, then))
        return self.ok


@dataclass
class Harness:
    """A service and its callbacks over SQLite in memory; every effect is inspectable."""

    clock: FixedClock = field(default_factory=FixedClock)
    store: RecordApprovalStore = field(default_factory=lambda: sqlite_approvals(":memory:"))
    audit: RecordStateStore = field(default_factory=lambda: sqlite_state(":memory:"))
    poster: RecordingPoster = field(default_factory=RecordingPoster)
    resume: RecordingResume = field(default_factory=RecordingResume)
    seeded: list[str] = field(default_factory=list)

    @property
    def service(self) -> ApprovalService:
        posters = {"slack": self.poster, "teams": self.poster}
        return ApprovalService(self.store, self.audit, self.clock, posters, self.resume)

    @property
    def callbacks(self) -> ApprovalCallbacks:
        verifier = TokenVerifier(APP_ID, StaticKeys(jwks()))
        return ApprovalCallbacks(
            self.service,
            SlackEndpoint(SLACK_SECRET, self.poster),
            TeamsEndpoint(verifier, self.poster),
        )

    def seed(self, **updates: Any) -> ApprovalRequest:
        """Store a pending request, as if the policy runner had opened it."""
        request = pending_request(**updates)
        self.store.add(request)
        self.seeded.append(request.id)
        return request

    def snapshot(self) -> tuple[Any, ...]:
        """Everything a callback could change; equal before and after means nothing acted."""
        return (
            [self.store.get(request_id) for request_id in self.seeded],
            self.store.pending(),
            [d.decision_id for d in self.audit.recent_decisions(1000)],
            len(self.resume.calls),
            len(self.poster.replaced),
            len(self.poster.replied),
        )


# --- Slack ----------------------------------------------------------------------------------


def slack_click(request: ApprovalRequest, verdict: str = "approve", user: str = SLACK_APPROVER):
    """The real block_actions payload, as a click on `request`'s own button by `user`."""
    payload = copy.deepcopy(event("slack/slack-interactivity-block-actions-button-payload.json"))
    message = slack_message(request)
    [buttons] = [b for b in message["blocks"] if b["type"] == "actions"]
    button = next(e for e in buttons["elements"] if e["action_id"] == f"costplane-{verdict}")
    payload["user"]["id"] = user
    payload["actions"] = [
        {**button, "block_id": buttons["block_id"], "action_ts": "1764244800.194939"}
    ]
    return payload


def slack_body(payload: dict[str, Any]) -> bytes:
    """How Slack sends interactivity: form-encoded `payload=<JSON>`."""
    return urlencode({"payload": orjson.dumps(payload).decode()}).encode()


def slack_headers(
    body: bytes, timestamp: int | None = None, secret: bytes = SLACK_SECRET
) -> dict[str, str]:
    ts = str(int(NOW.timestamp()) if timestamp is None else timestamp)
    return {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature(secret, ts, body),
    }


# --- Teams ----------------------------------------------------------------------------------


@cache
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@cache
def other_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwks(endorsements: tuple[str, ...] = ("msteams",)) -> dict[str, Any]:
    """The JWKS the test trusts: our public key, endorsed for Teams like Bot Framework's."""
    public = jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key().public_key(), as_dict=True)
    return {"keys": [{**public, "kid": KID, "use": "sig", "endorsements": list(endorsements)}]}


def claims(now: float | None = None, **overrides: Any) -> dict[str, Any]:
    issued = NOW.timestamp() if now is None else now
    found = {
        "iss": "https://api.botframework.com",
        "aud": APP_ID,
        "serviceurl": SERVICE_URL,
        "nbf": int(issued) - 5,
        "exp": int(issued) + 3600,
        "iat": int(issued) - 5,
    }
    found.update(overrides)
    return found


def bot_token(
    payload: dict[str, Any] | None = None,
    key: rsa.RSAPrivateKey | None = None,
    kid: str = KID,
    algorithm: str = "RS256",
) -> str:
    signing_key: Any = key or rsa_key()
    return jwt.encode(payload or claims(), signing_key, algorithm=algorithm, headers={"kid": kid})


def teams_invoke(
    request: ApprovalRequest, verb: str = "approve", user: str = TEAMS_APPROVER
) -> dict[str, Any]:
    """The real Action.Execute invoke, as a press of `request`'s own card button by `user`."""
    activity = copy.deepcopy(event("teams/teams-invoke-adaptivecard-action-execute-activity.json"))
    action = next(a for a in teams_card(request)["actions"] if a["verb"] == verb)
    activity["value"]["action"] = {k: action[k] for k in ("type", "title", "verb", "data")}
    activity["from"]["aadObjectId"] = user
    return activity


def teams_headers(token: str | None = None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token or bot_token()}", "Content-Type": "application/json"}


def wall_clock_claims(**overrides: Any) -> dict[str, Any]:
    """Claims valid now by the real clock, for functions whose clock is the system's."""
    return claims(now=time.time(), **overrides)
