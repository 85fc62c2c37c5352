"""Load a function's handler file as a fresh module, as a new execution environment does."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType


def fresh_module(path: Path, name: str = "app") -> ModuleType:
    """`path` imported anew under `name` (Lambda names it after the handler's module)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
