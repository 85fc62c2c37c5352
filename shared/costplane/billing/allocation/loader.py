"""Load an allocation rule file (YAML or JSON) and say precisely where it is wrong."""

from __future__ import annotations

from functools import partial
from pathlib import Path

from costplane.billing.allocation.errors import AllocationError
from costplane.billing.allocation.rules import RuleSet
from costplane.domain.documents import read_document, validate_document

EXAMPLE_RULES = Path(__file__).parents[2] / "data" / "allocation.example.yaml"
"""A rule set that works on every bundled sample bill (used by the demo and the tests)."""


def load_rules(path: Path) -> RuleSet:
    """The rule set in `path`, metric file paths resolved against the file's directory."""
    failure = partial(AllocationError, "invalid_rules")
    document = read_document(path, "rules", failure)
    rules = validate_document(RuleSet, document, str(path), "rules", failure)
    return rules.resolve_paths(path.parent)
