"""The budgets file's AI parts: tokens as a unit, model and API key in the scope, and the
targets a threshold acts on when usage lands."""

from __future__ import annotations

from typing import Any

import jsonschema
import orjson
import pytest
import yaml
from pydantic import ValidationError

from costplane.bootstrap import EXAMPLE_AI_BUDGETS
from costplane.budgets.levers import targets_of
from costplane.budgets.loader import load_budgets
from costplane.domain.budgets import Budget, BudgetTarget
from costplane.policy.thresholds import check_threshold_params, threshold_policies
from tests.conftest import REPO

SUSPEND = [{"percent": 100, "action": "suspend", "basis": "actual"}]


def budget(**fields: Any) -> Budget:
    return Budget.model_validate({"name": "b", "amount": 1_000, **fields})


def test_a_tokens_budget_takes_no_cloud_budget_alerts() -> None:
    with pytest.raises(ValidationError, match="a tokens budget takes no signals"):
        budget(unit="tokens", signals=["aws-monthly"])


def test_a_budget_scoped_by_model_or_api_key_compiles_to_no_resource_policy() -> None:
    scoped = [
        budget(name="model", scope={"model": "gpt-4o*"}, thresholds=SUSPEND),
        budget(name="key", scope={"api_key": "key_1"}, thresholds=SUSPEND),
        budget(name="project", scope={"provider": "openai", "account": "p"}, thresholds=SUSPEND),
    ]
    assert [p["name"] for p in threshold_policies(scoped)] == ["budget-project-actual-100"]


def test_the_policy_of_a_tokens_budget_keeps_the_scope_policies_understand() -> None:
    scope = {"provider": "azure", "tags": {"team": "ml"}}
    tokens = budget(unit="tokens", scope=scope, thresholds=SUSPEND)
    [policy] = threshold_policies([tokens])
    assert policy["scope"] == scope


@pytest.mark.parametrize(
    ("scope", "expected"),
    [
        ({"provider": "openai", "account": "proj_1"}, ("openai.project", "proj_1")),
        ({"provider": "anthropic", "account": "wrkspc_1"}, ("anthropic.workspace", "wrkspc_1")),
        (
            {"provider": "anthropic", "account": "wrkspc_1", "api_key": "apikey_1"},
            ("anthropic.api-key", "apikey_1"),
        ),
    ],
)
def test_the_default_target_is_what_the_scope_names_exactly(
    scope: dict[str, str], expected: tuple[str, str]
) -> None:
    [target] = targets_of(budget(scope=scope))
    assert (target.resource_type, target.resource_id or target.account) == expected


@pytest.mark.parametrize(
    "scope",
    [{"provider": "openai", "account": "proj_*"}, {"provider": "openai"}, {"provider": "aws"}],
)
def test_a_scope_that_names_no_one_ai_resource_has_no_default_target(
    scope: dict[str, str],
) -> None:
    assert targets_of(budget(scope=scope)) == ()


def test_targets_the_budget_names_replace_the_default() -> None:
    named = BudgetTarget(provider="aws", account="1", resource_type="aws.iam.role", resource_id="r")
    assert targets_of(budget(scope={"provider": "openai", "account": "p"}, targets=[named])) == (
        named,
    )


def test_the_ai_example_validates_against_the_published_schema_and_its_actions() -> None:
    schema = orjson.loads((REPO / "schemas" / "budgets.schema.json").read_bytes())
    jsonschema.Draft202012Validator(schema).validate(yaml.safe_load(EXAMPLE_AI_BUDGETS.read_text()))
    example = load_budgets(EXAMPLE_AI_BUDGETS).budgets
    check_threshold_params(example, str(EXAMPLE_AI_BUDGETS))
    assert [len(targets_of(b)) for b in example] == [1, 1, 0, 1]
