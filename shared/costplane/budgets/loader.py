"""Load a budgets file and say precisely which path and field are wrong; nothing runs if so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from costplane.budgets.model import BudgetsFile
from costplane.domain.problems import describe

EXAMPLE_BUDGETS = Path(__file__).parents[1] / "data" / "budgets.example.yaml"


class BudgetsFileError(ValueError):
    """An unusable budgets file; the message names the file, the path in it and the problem."""


def load_budgets_document(document: Any, source: str) -> BudgetsFile:
    try:
        return BudgetsFile.model_validate(document)
    except ValidationError as exc:
        raise BudgetsFileError(f"{source}: invalid budgets file: {describe(exc)}") from exc


def load_budgets(path: Path) -> BudgetsFile:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BudgetsFileError(f"{path}: cannot read budgets file: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise BudgetsFileError(f"{path}: not valid YAML: {exc}") from exc
    return load_budgets_document(document, str(path))
