"""Committed JSON Schemas equal what the models generate, and shipped examples validate."""

from __future__ import annotations

import jsonschema
import orjson
import pytest
import yaml

from costplane import schemas
from costplane.bootstrap import EXAMPLE_TAXONOMY
from tests.conftest import REPO


@pytest.mark.parametrize("name", sorted(schemas.SCHEMAS))
def test_committed_schema_equals_the_generated_one(name: str) -> None:
    committed = (REPO / "schemas" / name).read_bytes()
    assert committed == schemas.render(name), f"run `costplane schemas --write` to refresh {name}"


def test_example_taxonomy_validates_against_the_published_schema() -> None:
    schema = orjson.loads((REPO / "schemas" / "taxonomy.schema.json").read_bytes())
    document = yaml.safe_load(EXAMPLE_TAXONOMY.read_text())
    jsonschema.Draft202012Validator(schema).validate(document)


def test_schema_rejects_an_unknown_enforcement_mode() -> None:
    schema = orjson.loads((REPO / "schemas" / "taxonomy.schema.json").read_bytes())
    document = yaml.safe_load(EXAMPLE_TAXONOMY.read_text())
    document["enforcement"]["mode"] = "yolo"
    with pytest.raises(jsonschema.ValidationError, match="yolo"):
        jsonschema.Draft202012Validator(schema).validate(document)
