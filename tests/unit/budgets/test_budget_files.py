"""A budgets file is validated whole; an invalid one names the file, the path and the field."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import orjson
import pytest
import yaml

from costplane import schemas
from costplane.bootstrap import EXAMPLE_BUDGETS
from costplane.budgets.loader import (
    BudgetsFileError,
    load_budgets,
    load_budgets_document,
)
from costplane.domain.budgets import BudgetsFile
from costplane.policy.loader import PolicyFileError
from costplane.policy.thresholds import check_threshold_params
from tests.conftest import REPO

SCHEMA = REPO / "schemas" / "budgets.schema.json"


def _error(budget: dict[str, Any]) -> str:
    with pytest.raises(BudgetsFileError) as caught:
        load_budgets_document({"budgets": [budget]}, "team.yaml")
    return str(caught.value)


def test_the_example_file_loads_with_thresholds_in_ascending_order() -> None:
    loaded = load_budgets(EXAMPLE_BUDGETS)
    ml = loaded.budgets[0]
    assert ml.amount == Decimal("25000")
    assert [(t.percent, t.action) for t in ml.thresholds] == [
        (Decimal(80), "notify"),
        (Decimal(100), "throttle"),
        (Decimal(120), "suspend"),
    ]


def test_thresholds_are_sorted_whatever_order_the_file_gives() -> None:
    thresholds = [{"percent": 120, "action": "suspend"}, {"percent": 80, "action": "notify"}]
    loaded = load_budgets_document(
        {"budgets": [{"name": "b", "amount": 1, "thresholds": thresholds}]}, "f"
    )
    assert [t.percent for t in loaded.budgets[0].thresholds] == [80, 120]


def test_amounts_are_exact_decimals() -> None:
    loaded = load_budgets_document({"budgets": [{"name": "b", "amount": "1234.56"}]}, "f")
    assert loaded.budgets[0].amount == Decimal("1234.56")


def test_a_non_positive_amount_names_its_path() -> None:
    assert _error({"name": "b", "amount": 0}) == (
        "team.yaml: invalid budgets file: budgets.0.amount: Input should be greater than 0"
    )


def test_threshold_params_are_checked_by_the_action_they_name() -> None:
    loaded = load_budgets_document(
        {
            "budgets": [
                {"name": "b", "amount": 1, "thresholds": [{"percent": 100, "action": "escalate"}]}
            ]
        },
        "team.yaml",
    )
    with pytest.raises(PolicyFileError) as caught:
        check_threshold_params(loaded.budgets, "team.yaml")
    assert "budget 'b', threshold 100% projected" in str(caught.value)
    assert "params of 'escalate': to: Field required" in str(caught.value)


def test_an_unknown_threshold_action_names_the_field() -> None:
    message = _error({"name": "b", "amount": 1, "thresholds": [{"percent": 1, "action": "nuke"}]})
    assert "budgets.0.thresholds.0.action: Input should be 'notify'" in message


def test_a_misspelt_scope_key_is_rejected_not_ignored() -> None:
    message = _error({"name": "b", "amount": 1, "scope": {"acount": "123"}})
    assert "budgets.0.scope.acount: Extra inputs are not permitted" in message


def test_duplicate_thresholds_are_rejected() -> None:
    twice = [{"percent": 100, "action": "notify"}, {"percent": 100, "action": "throttle"}]
    message = _error({"name": "b", "amount": 1, "thresholds": twice})
    assert "budgets.0.thresholds: Value error, duplicate thresholds: 100% projected" in message


def test_duplicate_budget_names_are_rejected() -> None:
    with pytest.raises(BudgetsFileError, match="duplicate budget names: b"):
        load_budgets_document(
            {"budgets": [{"name": "b", "amount": 1}, {"name": "b", "amount": 2}]}, "f"
        )


def test_a_currency_must_be_an_iso_code() -> None:
    assert "budgets.0.currency: String should match pattern" in _error(
        {"name": "b", "amount": 1, "currency": "dollars"}
    )


def test_a_file_that_is_not_yaml_is_reported_as_such(tmp_path: Path) -> None:
    path = tmp_path / "budgets.yaml"
    path.write_text("budgets: [unclosed\n")
    with pytest.raises(BudgetsFileError, match=rf"^{path}: not valid YAML"):
        load_budgets(path)


def test_a_missing_file_is_reported_with_its_path(tmp_path: Path) -> None:
    path = tmp_path / "absent.yaml"
    with pytest.raises(BudgetsFileError, match=rf"^{path}: cannot read budgets file"):
        load_budgets(path)


def test_committed_schema_equals_the_generated_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(schemas.SCHEMAS, SCHEMA.name, lambda: BudgetsFile)
    assert SCHEMA.read_bytes() == schemas.render(SCHEMA.name), "regenerate budgets.schema.json"


def test_the_example_validates_against_the_published_schema() -> None:
    schema = orjson.loads(SCHEMA.read_bytes())
    jsonschema.Draft202012Validator(schema).validate(yaml.safe_load(EXAMPLE_BUDGETS.read_text()))


def test_the_published_schema_rejects_an_unknown_period() -> None:
    schema = orjson.loads(SCHEMA.read_bytes())
    document = {"budgets": [{"name": "b", "amount": 1, "period": "weekly"}]}
    with pytest.raises(jsonschema.ValidationError, match="weekly"):
        jsonschema.Draft202012Validator(schema).validate(document)
