"""Load an allocation rule file (YAML or JSON) and say precisely where it is wrong."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from costplane.allocation.errors import AllocationError
from costplane.allocation.rules import RuleSet

EXAMPLE_RULES = Path(__file__).parents[1] / "data" / "allocation.example.yaml"
"""A rule set that works on every bundled sample bill (used by the demo and the tests)."""


def load_rules(path: Path) -> RuleSet:
    """The rule set in `path`, metric file paths resolved against the file's directory."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise AllocationError(
            "invalid_rules", f"{path}: cannot read rules: {exc.strerror}"
        ) from exc
    except yaml.YAMLError as exc:
        raise AllocationError("invalid_rules", f"{path}: not valid YAML: {exc}") from exc
    try:
        return RuleSet.model_validate(document).resolve_paths(path.parent)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}"
            for err in exc.errors()
        )
        raise AllocationError("invalid_rules", f"{path}: invalid rules: {problems}") from exc
