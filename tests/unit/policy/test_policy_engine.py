"""The policy engine: every policy in scope whose conditions all hold plans its actions."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from costplane.domain.budgets import BudgetView
from costplane.domain.decisions import ActionKind, Outcome
from costplane.domain.marks import decode_mark
from costplane.policy.engine import PolicyEngine, compile_policies
from costplane.policy.facts import Facts
from costplane.policy.loader import load_policy_document
from tests.support.tagging import NOW, make_event


def _engine(*policies: dict[str, Any]) -> PolicyEngine:
    document = {"version": 1, "policies": list(policies)}
    return PolicyEngine(compile_policies(load_policy_document(document, "test")))


def _facts(**kw: Any) -> Facts:
    event = make_event(**kw.pop("event", {}))
    return Facts(event=event, tags=kw.pop("tags", {}), now=NOW, **kw)


STOP_UNTAGGED = {
    "name": "stop-untagged",
    "conditions": [{"type": "tag-missing", "keys": ["CostCenter"]}],
    "actions": [{"type": "suspend"}],
    "mode": "enforce",
}


def test_matching_policy_is_a_violation_with_its_reasons_and_actions() -> None:
    [decision] = _engine(STOP_UNTAGGED).evaluate(_facts())
    assert decision.outcome is Outcome.VIOLATION
    assert decision.policy == "stop-untagged"
    assert decision.reason == "missing tags CostCenter"
    assert [a.kind for a in decision.actions] == [ActionKind.SUSPEND]
    assert not decision.dry_run


def test_any_spelling_of_a_key_satisfies_tag_missing() -> None:
    [decision] = _engine(STOP_UNTAGGED).evaluate(_facts(tags={"cost-center": "CC-1"}))
    assert decision.outcome is Outcome.COMPLIANT


def test_all_conditions_must_hold() -> None:
    policy = {
        **STOP_UNTAGGED,
        "conditions": [*STOP_UNTAGGED["conditions"], {"type": "cost-rate", "above": 5}],
    }
    cheap = _engine(policy).evaluate(_facts(cost_per_hour=Decimal("0.10")))
    dear = _engine(policy).evaluate(_facts(cost_per_hour=Decimal("7.50")))
    assert cheap[0].outcome is Outcome.COMPLIANT
    assert dear[0].reason == "missing tags CostCenter; costs 7.50/h, above 5/h"


def test_scope_by_tag_value_ignores_other_teams() -> None:
    policy = {**STOP_UNTAGGED, "scope": {"tags": {"team": "payments"}}}
    assert _engine(policy).evaluate(_facts(tags={"Team": "Payments"}))[0].policy == "stop-untagged"
    assert _engine(policy).evaluate(_facts(tags={"Team": "search"}))[0].policy == "*"


def test_destructive_action_within_grace_becomes_a_mark_for_op() -> None:
    policy = {**STOP_UNTAGGED, "grace": "PT15M"}
    facts = _facts(created_at=NOW - timedelta(minutes=5))
    [action] = _engine(policy).evaluate(facts)[0].actions
    assert action.kind is ActionKind.MARK_FOR_OP
    mark = decode_mark(action.params["value"])
    assert mark is not None
    assert (mark.op, mark.at) == (ActionKind.SUSPEND, NOW + timedelta(minutes=10))


def test_destructive_action_after_grace_is_planned_as_is() -> None:
    policy = {**STOP_UNTAGGED, "grace": "PT15M"}
    facts = _facts(created_at=NOW - timedelta(hours=1))
    assert _engine(policy).evaluate(facts)[0].actions[0].kind is ActionKind.SUSPEND


def test_exempt_resource_gets_no_action() -> None:
    exempt = {"resource": "i-0123*", "reason": "migration", "expires": "2026-12-31"}
    [decision] = _engine({**STOP_UNTAGGED, "exemptions": [exempt]}).evaluate(_facts())
    assert decision.outcome is Outcome.COMPLIANT
    assert decision.actions == []
    assert decision.reason == "exempt until 2026-12-31: migration"


def test_projected_budget_breach_fires_before_actual_spend_does() -> None:
    policy = {
        "name": "guardrail",
        "conditions": [{"type": "budget-threshold", "budget": "ml", "percent": 100}],
        "actions": [{"type": "throttle"}],
    }
    view = BudgetView("ml", Decimal(1000), Decimal(700), Decimal(1040), "USD")
    [decision] = _engine(policy).evaluate(_facts(budgets={"ml": view}))
    assert decision.reason == "budget ml projected at 104.0% (threshold 100% of 1000 USD)"
    actual = {**policy, "conditions": [{**policy["conditions"][0], "basis": "actual"}]}
    assert _engine(actual).evaluate(_facts(budgets={"ml": view}))[0].policy == "*"


def test_every_matching_policy_decides_separately() -> None:
    other = {**STOP_UNTAGGED, "name": "notify-untagged", "actions": [{"type": "notify"}]}
    decisions = _engine(STOP_UNTAGGED, other).evaluate(_facts())
    assert [d.policy for d in decisions] == ["stop-untagged", "notify-untagged"]


def test_idle_and_age_conditions_need_their_facts() -> None:
    policy = {
        "name": "idle-old",
        "conditions": [{"type": "idle", "below": 0.05}, {"type": "age", "older_than": "P30D"}],
        "actions": [{"type": "notify"}],
    }
    unknown = _engine(policy).evaluate(_facts())
    known = _engine(policy).evaluate(_facts(utilisation=0.01, created_at=NOW - timedelta(days=45)))
    assert unknown[0].policy == "*"
    assert known[0].reason == "utilisation 1.0% below 5%; 45 days old"
