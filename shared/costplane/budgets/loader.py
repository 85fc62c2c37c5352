"""Load a budgets file and say precisely which path and field are wrong; nothing runs if so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from costplane.domain.budgets import BudgetsFile
from costplane.domain.documents import read_document, validate_document


class BudgetsFileError(ValueError):
    """An unusable budgets file; the message names the file, the path in it and the problem."""


def load_budgets_document(document: Any, source: str) -> BudgetsFile:
    return validate_document(BudgetsFile, document, source, "budgets file", BudgetsFileError)


def load_budgets(path: Path) -> BudgetsFile:
    return load_budgets_document(read_document(path, "budgets file", BudgetsFileError), str(path))
