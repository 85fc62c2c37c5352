"""Allocation rule files: what they may say, and how precisely a wrong one is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from costplane import schemas
from costplane.billing.allocation.errors import AllocationError
from costplane.billing.allocation.loader import EXAMPLE_RULES, load_rules
from costplane.billing.allocation.rules import RuleSet
from tests.conftest import REPO

K8S_EXAMPLE = REPO / "tests" / "data" / "k8s" / "allocation.k8s.yaml"


def write(tmp_path: Path, document: dict[str, Any]) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def rules(*steps: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {
        "name": "test",
        "steps": [{"name": f"s{i}", "rules": r} for i, r in enumerate(steps)],
        **extra,
    }


def direct(name: str, to: str, **select: Any) -> dict[str, Any]:
    return {"name": name, "select": select, "distribute": {"method": "direct", "to": to}}


def refusal(tmp_path: Path, document: dict[str, Any]) -> str:
    with pytest.raises(AllocationError) as caught:
        load_rules(write(tmp_path, document))
    assert caught.value.code == "invalid_rules"
    return caught.value.message


@pytest.mark.parametrize("path", [EXAMPLE_RULES, K8S_EXAMPLE], ids=["example", "k8s"])
def test_shipped_rule_sets_load_and_validate_against_the_schema(path: Path) -> None:
    document = yaml.safe_load(path.read_text())
    jsonschema.Draft202012Validator(schemas.generate("allocation.schema.json")).validate(document)
    assert isinstance(load_rules(path), RuleSet)


def test_schema_rejects_a_rule_with_both_select_and_from() -> None:
    document = rules(
        [direct("a", "x")],
        [{"name": "b", "select": {}, "from": ["x"], "distribute": {"method": "direct", "to": "y"}}],
    )
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schemas.generate("allocation.schema.json")).validate(
            document
        )


def test_an_unknown_focus_column_is_named_with_a_suggestion(tmp_path: Path) -> None:
    message = refusal(tmp_path, rules([direct("a", "x", where={"servicecategory": ["Compute"]})]))
    assert "unknown column 'servicecategory'" in message
    assert "did you mean 'ServiceCategory'" in message


def test_a_decimal_column_cannot_be_filtered_as_text(tmp_path: Path) -> None:
    message = refusal(tmp_path, rules([direct("a", "x", where={"BilledCost": ["1"]})]))
    assert "not a FOCUS string column" in message


def test_fixed_percentages_must_add_up_to_exactly_100(tmp_path: Path) -> None:
    rule = {
        "name": "a",
        "select": {},
        "distribute": {"method": "fixed", "shares": {"x": "33.3", "y": "66.6"}},
    }
    assert "add up to 99.9, not 100" in refusal(tmp_path, rules([rule]))


def test_a_rule_needs_exactly_one_of_select_and_from(tmp_path: Path) -> None:
    rule = {"name": "a", "distribute": {"method": "direct", "to": "x"}}
    assert "exactly one of `select` or `from`" in refusal(tmp_path, rules([rule]))


def test_splitting_an_object_no_earlier_step_produces_is_refused(tmp_path: Path) -> None:
    split = {"name": "b", "from": ["platfrom"], "distribute": {"method": "even", "targets": ["t"]}}
    message = refusal(tmp_path, rules([direct("a", "platform")], [split]))
    assert "rule 'b' splits 'platfrom', which no earlier step or the fallback produces" in message


def test_a_source_named_by_tag_values_may_be_split_later(tmp_path: Path) -> None:
    by_tag = {
        "name": "a",
        "select": {"tags": {"team": "*"}},
        "distribute": {"method": "tag", "key": "team", "prefix": "team:"},
    }
    split = {"name": "b", "from": ["team:web"], "distribute": {"method": "even", "targets": ["p"]}}
    assert load_rules(write(tmp_path, rules([by_tag], [split]))).rules[1].from_ == ("team:web",)


def test_two_rules_of_one_step_may_not_split_the_same_object(tmp_path: Path) -> None:
    split = {"from": ["x"], "distribute": {"method": "even", "targets": ["t"]}}
    document = rules([direct("a", "x")], [{"name": "b", **split}, {"name": "c", **split}])
    assert "rules 'b' and 'c' both split 'x'" in refusal(tmp_path, document)


def test_rule_names_are_unique(tmp_path: Path) -> None:
    message = refusal(tmp_path, rules([direct("a", "x")], [direct("a", "y")]))
    assert "rule names must be unique: a" in message


def test_the_cost_metric_needs_targets(tmp_path: Path) -> None:
    rule = {
        "name": "a",
        "select": {},
        "distribute": {"method": "proportional", "metric": {"source": "cost"}},
    }
    assert "needs `targets`" in refusal(tmp_path, rules([rule]))


def test_an_unreadable_or_malformed_file_says_so(tmp_path: Path) -> None:
    with pytest.raises(AllocationError, match="cannot read rules"):
        load_rules(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("steps: [\n")
    with pytest.raises(AllocationError, match="not valid YAML"):
        load_rules(broken)


def test_metric_paths_are_relative_to_the_rules_file(tmp_path: Path) -> None:
    rule = {
        "name": "a",
        "select": {},
        "distribute": {
            "method": "proportional",
            "metric": {"source": "file", "path": "requests.csv", "key": "team", "value": "n"},
        },
    }
    loaded = load_rules(write(tmp_path, rules([rule])))
    assert loaded.rules[0].distribute.metric.path == tmp_path / "requests.csv"  # type: ignore[union-attr]
