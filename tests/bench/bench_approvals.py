"""Callback verification, warm: the Slack signature check and the Teams token check.

Baselines, in the same run: for Slack, the bare `hmac.new(secret, base, sha256).hexdigest()`
(the one cryptographic step; ours adds header parsing, the replay window and a constant-time
compare); for Teams, a bare `jwt.decode` with signature verification disabled (parsing the
token, no RSA; ours adds the RS256 signature, the claims and the serviceUrl binding).

Each call is timed by the wall clock and by the thread's CPU clock: on a loaded machine a
0.1 ms call is often preempted, which lands in the wall-clock p99 but not in the CPU time.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable

import jwt
import orjson

from costplane.approvals.slack_callback import signature, verify_signature
from costplane.approvals.teams_callback import StaticKeys, TokenVerifier
from tests.bench.report import Figure, percentile, show, summary
from tests.support.tagging import NOW
from tests.unit.approvals.approvals_support import (
    APP_ID,
    SLACK_SECRET,
    bot_token,
    jwks,
    pending_request,
    slack_body,
    slack_click,
    teams_invoke,
)

ROUNDS = 5_000
WARMUP = 200


def _timed(call: Callable[[], object], clock: Callable[[], int]) -> list[float]:
    """Milliseconds by `clock` (nanoseconds) of each of ROUNDS warm calls."""
    for _ in range(WARMUP):
        call()
    samples = []
    for _ in range(ROUNDS):
        started = clock()
        call()
        samples.append((clock() - started) / 1e6)
    return samples


def _figures(
    name: str, ours: Callable[[], object], base: Callable[[], object], base_name: str
) -> list[Figure]:
    wall, base_wall = _timed(ours, time.perf_counter_ns), _timed(base, time.perf_counter_ns)
    cpu, base_cpu = _timed(ours, time.thread_time_ns), _timed(base, time.thread_time_ns)
    o, b = summary(wall), summary(base_wall)
    return [
        Figure(f"{name} p50", o["p50"], b["p50"], "ms", "-", base_name),
        Figure(f"{name} p99", o["p99"], b["p99"], "ms", "≤ 1 ms", base_name),
        Figure(
            f"{name} p99 CPU", percentile(cpu, 99), percentile(base_cpu, 99), "ms", "-", base_name
        ),
    ]


def run() -> list[Figure]:
    now = NOW.timestamp()
    timestamp = str(int(now))
    body = slack_body(slack_click(pending_request()))
    sent = signature(SLACK_SECRET, timestamp, body)
    base = b"v0:" + timestamp.encode() + b":" + body

    token = bot_token()
    authorization = f"Bearer {token}"
    activity = orjson.dumps(teams_invoke(pending_request()))
    verifier = TokenVerifier(APP_ID, StaticKeys(jwks()))

    figures = [
        *_figures(
            "Slack verify",
            lambda: verify_signature(SLACK_SECRET, body, timestamp, sent, now),
            lambda: hmac.new(SLACK_SECRET, base, hashlib.sha256).hexdigest(),
            "bare hmac.new().hexdigest()",
        ),
        *_figures(
            "Teams verify",
            lambda: verifier.verify(authorization, activity, now),
            lambda: jwt.decode(token, options={"verify_signature": False}),
            "jwt.decode, signature unverified",
        ),
    ]
    show(f"Approval callback verification, warm, {ROUNDS} rounds", figures)
    return figures
