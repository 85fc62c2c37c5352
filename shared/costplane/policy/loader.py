"""Load a policy file and say precisely which path and field are wrong; nothing runs if so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from costplane.domain.problems import describe
from costplane.policy.model import policy_models


class PolicyFileError(ValueError):
    """An unusable policy file; the message names the file, the path in it and the problem."""


def load_policy_document(document: Any, source: str) -> Any:
    """Validate a decoded document into a PolicyFile model."""
    _, policy_file = policy_models()
    try:
        parsed: Any = policy_file.model_validate(document)
    except ValidationError as exc:
        raise PolicyFileError(f"{source}: invalid policy file: {describe(exc)}") from exc
    names = [p.name for p in parsed.policies]
    if duplicates := sorted({n for n in names if names.count(n) > 1}):
        raise PolicyFileError(f"{source}: duplicate policy names: {', '.join(duplicates)}")
    return parsed


def load_policy_file(path: Path) -> Any:
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise PolicyFileError(f"{path}: cannot read policy file: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise PolicyFileError(f"{path}: not valid YAML: {exc}") from exc
    return load_policy_document(document, str(path))
