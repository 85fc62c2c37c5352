"""Policy files: validated by the registry-generated schema, errors name the path at fault."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import orjson
import pytest
import yaml

from costplane.policy.loader import PolicyFileError, load_policy_document, load_policy_file
from costplane.policy.plugins import load_plugins
from costplane.policy.registry import ACTIONS, CONDITIONS
from tests.conftest import REPO

EXAMPLE = REPO / "shared" / "costplane" / "data" / "policies.example.yaml"
load_plugins()


def _policy(**overrides: object) -> dict[str, object]:
    policy: dict[str, object] = {
        "name": "p",
        "conditions": [{"type": "tag-missing", "keys": ["Team"]}],
        "actions": [{"type": "notify"}],
    }
    policy.update(overrides)
    return {"version": 1, "policies": [policy]}


def test_example_policy_file_loads() -> None:
    assert [p.name for p in load_policy_file(EXAMPLE).policies] == [
        "untagged-compute-stop",
        "gpu-spend-needs-approval",
        "ml-budget-guardrail",
    ]


def test_example_validates_against_the_published_schema() -> None:
    schema = orjson.loads((REPO / "schemas" / "policy.schema.json").read_bytes())
    jsonschema.Draft202012Validator(schema).validate(yaml.safe_load(EXAMPLE.read_text()))


def test_unknown_condition_type_is_named_with_its_path() -> None:
    document = _policy(conditions=[{"type": "moon-phase"}])
    with pytest.raises(PolicyFileError, match=r"policies\.0\.conditions\.0: .*'moon-phase'"):
        load_policy_document(document, "p.yaml")


def test_misspelt_parameter_is_named_with_its_path() -> None:
    document = _policy(conditions=[{"type": "cost-rate", "abov": 5}])
    with pytest.raises(PolicyFileError, match=r"conditions\.0\.cost-rate\.abov: Extra inputs"):
        load_policy_document(document, "p.yaml")


def test_duplicate_policy_names_are_rejected() -> None:
    document = _policy()
    document["policies"] = [*document["policies"], *document["policies"]]  # type: ignore[misc]
    with pytest.raises(PolicyFileError, match="duplicate policy names: p"):
        load_policy_document(document, "p.yaml")


def test_unreadable_yaml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("policies: [\n")
    with pytest.raises(PolicyFileError, match=r"bad\.yaml: not valid YAML"):
        load_policy_file(path)


@pytest.mark.parametrize("plugin", [*CONDITIONS.values(), *ACTIONS.values()], ids=lambda p: p.key)
def test_every_plugin_documents_a_valid_yaml_example(plugin: type) -> None:
    example = yaml.safe_load(plugin.example())
    assert example["type"] == plugin.key
    plugin.Params.model_validate({k: v for k, v in example.items() if k != "type"})


@pytest.mark.parametrize("plugin", [*CONDITIONS.values(), *ACTIONS.values()], ids=lambda p: p.key)
def test_every_plugin_declares_its_providers(plugin: type) -> None:
    assert plugin.providers <= {"aws", "azure", "gcp"}
    assert set(plugin.permissions) <= plugin.providers
