"""100 policies evaluated against one event, warm.

Baseline, in the same run: the same 100 rules written by hand as plain Python predicates over
a dict of tags — the floor any engine with typed, registered plug-ins is measured against.
"""

from __future__ import annotations

import time
from decimal import Decimal
from typing import Any

from costplane.policy.engine import PolicyEngine, compile_policies
from costplane.policy.facts import Facts
from costplane.policy.loader import load_policy_document
from tests.bench.report import Figure, show, summary
from tests.support.tagging import NOW, make_event

N_POLICIES = 100
ROUNDS = 5_000


def _policies() -> list[dict[str, Any]]:
    shapes = [
        lambda i: [{"type": "tag-missing", "keys": [f"Key{i}", "CostCenter"]}],
        lambda i: [{"type": "resource-type", "types": ["aws.ec2.*", f"gcp.x{i}.*"]}],
        lambda i: [{"type": "cost-rate", "above": i / 10}],
        lambda i: [
            {"type": "resource-type", "types": ["aws.*"]},
            {"type": "tag-missing", "keys": ["Team"]},
        ],
    ]
    return [
        {
            "name": f"p{i}",
            "scope": {"account": "123456789012"} if i % 2 else {"tags": {"team": "platform"}},
            "conditions": shapes[i % len(shapes)](i),
            "actions": [{"type": "notify"}, {"type": "mark-for-op", "op": "stop"}],
        }
        for i in range(N_POLICIES)
    ]


def _hand_written(tags: dict[str, str], rate: Decimal) -> int:
    matched = 0
    for i in range(N_POLICIES):
        in_scope = tags.get("Team", "").lower() == "platform" if i % 2 == 0 else True
        shape = i % 4
        if not in_scope:
            continue
        if (
            (shape == 0 and ("CostCenter" not in tags or f"Key{i}" not in tags))
            or shape == 1
            or (shape == 2 and rate > Decimal(i) / 10)
            or (shape == 3 and "Team" not in tags)
        ):
            matched += 1
    return matched


def run() -> list[Figure]:
    document = {"version": 1, "policies": _policies()}
    engine = PolicyEngine(compile_policies(load_policy_document(document, "bench")))
    tags = {"Team": "platform", "Environment": "prod"}
    facts = Facts(make_event(), tags, NOW, cost_per_hour=Decimal("3.20"))
    ours, base = [], []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        engine.evaluate(facts)
        ours.append((time.perf_counter() - started) * 1000)
    for _ in range(ROUNDS):
        started = time.perf_counter()
        _hand_written(tags, Decimal("3.20"))
        base.append((time.perf_counter() - started) * 1000)
    o, b = summary(ours), summary(base)
    figures = [
        Figure("100 policies p50", o["p50"], b["p50"], "ms", "-", "hand-written predicates"),
        Figure("100 policies p99", o["p99"], b["p99"], "ms", "≤ 2 ms", "hand-written predicates"),
    ]
    show(f"Policy engine: {N_POLICIES} policies against one event, {ROUNDS} rounds", figures)
    return figures
