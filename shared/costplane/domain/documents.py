"""Configuration documents — taxonomy, policies, budgets, allocation rules — are YAML (or JSON)
files validated by pydantic models; reading one fails the same precise way whichever it is."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)
Failure = Callable[[str], Exception]
"""How a loader reports a problem: its own error type, given the message."""


def describe(exc: ValidationError) -> str:
    """Every problem on one line, each naming its path in the document."""
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}" for err in exc.errors()
    )


def read_document(path: Path, kind: str, error: Failure) -> Any:
    """The decoded YAML or JSON of `path`; `error` names the file when it cannot be read."""
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise error(f"{path}: cannot read {kind}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise error(f"{path}: not valid YAML: {exc}") from exc


def validate_document(model: type[M], document: Any, source: str, kind: str, error: Failure) -> M:
    """`document` as `model`; `error` names the source, and the path and field at fault."""
    try:
        return model.model_validate(document)
    except ValidationError as exc:
        raise error(f"{source}: invalid {kind}: {describe(exc)}") from exc
