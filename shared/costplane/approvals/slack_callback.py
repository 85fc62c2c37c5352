"""Slack callbacks: check the request signature, then read the click it signs.

Slack signs every request with the app's signing secret: `X-Slack-Signature` is `v0=` and the
hex HMAC-SHA256 of `v0:{X-Slack-Request-Timestamp}:{raw body}`. A timestamp more than five
minutes from our clock, in either direction, is refused, so a captured request cannot be
replayed later; within the window a replayed click finds its request decided and acts no more.
Nothing in the body is read before the signature is checked. Pure functions: no I/O.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

import orjson

from costplane.approvals.errors import malformed, unauthenticated
from costplane.approvals.messages import SLACK_ACTIONS
from costplane.approvals.model import Choice

SIGNATURE_HEADER = "x-slack-signature"
TIMESTAMP_HEADER = "x-slack-request-timestamp"
REPLAY_WINDOW_SECONDS = 300
RESPONSE_URL_PREFIXES = ("https://hooks.slack.com/", "https://hooks.slack-gov.com/")
_MAX_TIMESTAMP_DIGITS = 12


@dataclass(frozen=True, slots=True)
class SlackClick:
    """An approver pressed approve, deny or resume on a request's message."""

    request_id: str
    verdict: Choice
    user: str
    response_url: str | None


@dataclass(frozen=True, slots=True)
class UrlVerification:
    """The Events API handshake: answer with the challenge."""

    challenge: str


def signature(secret: bytes, timestamp: str, body: bytes) -> str:
    """The `X-Slack-Signature` value Slack sends for `body` at `timestamp`."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret, base, hashlib.sha256).hexdigest()


def verify_signature(
    secret: bytes,
    body: bytes,
    timestamp: str | None,
    sent: str | None,
    now: float,
    window: int = REPLAY_WINDOW_SECONDS,
) -> None:
    """Raise a 401 CallbackRejected unless `sent` signs `body` at a fresh `timestamp`."""
    if not timestamp or not sent:
        raise unauthenticated("missing_signature", "X-Slack-Signature and timestamp are required")
    digits = timestamp.isascii() and timestamp.isdigit()
    if not digits or len(timestamp) > _MAX_TIMESTAMP_DIGITS:
        raise unauthenticated("bad_timestamp", "X-Slack-Request-Timestamp is not Unix seconds")
    if abs(now - int(timestamp)) > window:
        raise unauthenticated(
            "stale_timestamp", f"the request is more than {window} s from our clock"
        )
    expected = signature(secret, timestamp, body).encode()
    if not hmac.compare_digest(expected, sent.encode(errors="surrogatepass")):
        raise unauthenticated("bad_signature", "X-Slack-Signature does not match the body")


def parse(body: bytes) -> SlackClick | UrlVerification:
    """Read a verified body: the Events API handshake (JSON) or a click (form `payload=`)."""
    if body.lstrip().startswith(b"{"):
        document = _json(body)
        if document.get("type") == "url_verification" and isinstance(
            document.get("challenge"), str
        ):
            return UrlVerification(document["challenge"])
        raise malformed("unsupported_event", f"Events API type {document.get('type')!r}")
    return _click(_json(_form_payload(body)))


def _form_payload(body: bytes) -> bytes:
    try:
        fields = parse_qs(body.decode(), strict_parsing=True)
    except (UnicodeDecodeError, ValueError) as exc:
        raise malformed("malformed_form", f"the body is not a form: {exc}") from None
    payloads = fields.get("payload", [])
    if len(payloads) != 1:
        raise malformed("missing_payload", "the form needs exactly one `payload` field")
    return payloads[0].encode()


def _json(raw: bytes) -> dict[str, Any]:
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise malformed("malformed_json", f"the payload is not JSON: {exc}") from None
    if not isinstance(document, dict):
        raise malformed("malformed_json", "the payload is not a JSON object")
    return document


def _click(payload: dict[str, Any]) -> SlackClick:
    if payload.get("type") != "block_actions":
        raise malformed("unsupported_payload", f"payload type {payload.get('type')!r}")
    user = payload.get("user")
    actions = payload.get("actions")
    if not (isinstance(user, dict) and isinstance(user.get("id"), str)):
        raise malformed("missing_user", "the payload names no user.id")
    if not (isinstance(actions, list) and actions and isinstance(actions[0], dict)):
        raise malformed("missing_action", "the payload carries no action")
    action = actions[0]
    action_id = action.get("action_id")
    verdict = SLACK_ACTIONS.get(action_id) if isinstance(action_id, str) else None
    if verdict is None:
        raise malformed("unknown_action", f"action_id {action_id!r}")
    if not isinstance(action.get("value"), str) or not action["value"]:
        raise malformed("missing_request_id", "the button carries no request id")
    response_url = payload.get("response_url")
    if not (isinstance(response_url, str) and response_url.startswith(RESPONSE_URL_PREFIXES)):
        response_url = None
    return SlackClick(action["value"], verdict, user["id"], response_url)
