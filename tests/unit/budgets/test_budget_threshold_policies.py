"""Budget thresholds drive the policy engine: the budget service is its SpendFacts, and each
threshold is a policy whose action runs once the budget's figure reaches it."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from costplane.bootstrap import EXAMPLE_BUDGETS
from costplane.budgets.loader import load_budgets
from costplane.budgets.ports import LakeSpend, RateEntry
from costplane.domain.decisions import ActionKind, Outcome
from costplane.domain.taxonomy import Mode
from costplane.policy.engine import PolicyEngine, compile_policies
from costplane.policy.facts import Facts
from costplane.policy.loader import load_policy_document
from costplane.policy.thresholds import threshold_policies
from tests.support.stores import sqlite_budgets
from tests.unit.budgets.budget_support import NOW, budgets, make_service, real_events

ML = {
    "name": "ml-prod",
    "amount": 1000,
    "scope": {"account": "644160558196"},
    "thresholds": [
        {"percent": 80, "action": "notify", "params": {"channel": "slack"}},
        {"percent": "100.5", "action": "throttle"},
    ],
}


def _engine(found: list, mode: Mode = Mode.ENFORCE) -> PolicyEngine:
    document = {"version": 1, "policies": threshold_policies(found, mode)}
    return PolicyEngine(compile_policies(load_policy_document(document, "budgets")))


def test_every_threshold_of_the_example_file_is_a_valid_policy() -> None:
    example = load_budgets(EXAMPLE_BUDGETS).budgets
    engine = _engine(example)
    assert len(engine.policies) == sum(len(b.thresholds) for b in example)
    assert engine.policies[1].name == "budget-ml-prod-projected-100"


def test_thresholds_reached_by_the_projection_plan_their_actions() -> None:
    store = sqlite_budgets(":memory:")
    store.put_rate(
        "aws:644160558196:i-1",
        RateEntry(Decimal("1.90"), "USD", ("ml-prod",), True, datetime(2026, 11, 20, tzinfo=UTC)),
    )
    service = make_service(
        budgets(ML), lake=LakeSpend({"ml-prod": Decimal(500)}), store=store
    )  # 500 + 1.90 x 264 h (Nov 20 -> Dec 1) = 1001.60 -> 100.16%: notify, not throttle
    [event] = real_events("aws/aws-cloudtrail-ec2-runinstances-iamuser-record.json")
    facts = Facts(
        event=event,
        tags={},
        now=NOW,
        cost_per_hour=service.cost_per_hour(event),
        budgets=service.budget_views(NOW),
    )
    decisions = _engine(budgets(ML)).evaluate(facts)
    assert [(d.policy, d.outcome) for d in decisions] == [
        ("budget-ml-prod-projected-80", Outcome.VIOLATION)
    ]
    assert [(a.kind, a.params) for a in decisions[0].actions] == [
        (ActionKind.NOTIFY, {"channel": "slack", "to": []})
    ]
    assert facts.cost_per_hour == Decimal("0.067")


def test_resources_outside_the_budget_scope_are_left_alone() -> None:
    service = make_service(budgets(ML), lake=LakeSpend({"ml-prod": Decimal(5000)}))
    [event] = real_events(
        "aws/aws-cloudtrail-ec2-runinstances-iamuser-record.json", account="999999999999"
    )
    facts = Facts(event=event, tags={}, now=NOW, budgets=service.budget_views(NOW))
    [decision] = _engine(budgets(ML)).evaluate(facts)
    assert decision.outcome is Outcome.COMPLIANT
