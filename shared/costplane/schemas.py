"""JSON Schemas published under `schemas/`, generated from the pydantic models that enforce them.

The models are the source of truth; `costplane schemas --write` regenerates the files and a
contract test keeps the committed copies equal to what the models say.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from pydantic import BaseModel

from costplane.billing.allocation.rules import RuleSet
from costplane.domain.budgets import BudgetsFile
from costplane.domain.taxonomy import Taxonomy
from costplane.policy.model import policy_models

SCHEMAS: dict[str, Callable[[], type[BaseModel]]] = {
    "taxonomy.schema.json": lambda: Taxonomy,
    "policy.schema.json": lambda: policy_models()[1],
    "budgets.schema.json": lambda: BudgetsFile,
    "allocation.schema.json": lambda: RuleSet,
}


def generate(name: str) -> dict[str, Any]:
    model = SCHEMAS[name]()
    schema = model.model_json_schema(mode="validation")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://costplane.dev/schemas/{name}",
        **schema,
    }


def render(name: str) -> bytes:
    return orjson.dumps(generate(name), option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"


def write_all(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in SCHEMAS:
        path = directory / name
        path.write_bytes(render(name))
        written.append(path)
    return written
