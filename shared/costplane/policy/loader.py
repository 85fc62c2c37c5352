"""Load a policy file and say precisely which path and field are wrong; nothing runs if so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from costplane.domain.documents import read_document, validate_document
from costplane.policy.model import policy_models


class PolicyFileError(ValueError):
    """An unusable policy file; the message names the file, the path in it and the problem."""


def load_policy_document(document: Any, source: str) -> Any:
    """Validate a decoded document into a PolicyFile model."""
    _, policy_file = policy_models()
    parsed: Any = validate_document(policy_file, document, source, "policy file", PolicyFileError)
    names = [p.name for p in parsed.policies]
    if duplicates := sorted({n for n in names if names.count(n) > 1}):
        raise PolicyFileError(f"{source}: duplicate policy names: {', '.join(duplicates)}")
    return parsed


def load_policy_file(path: Path) -> Any:
    return load_policy_document(read_document(path, "policy file", PolicyFileError), str(path))
