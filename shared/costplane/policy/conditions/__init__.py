"""Built-in conditions; importing a module registers its conditions."""

from __future__ import annotations

import importlib

MODULES = ("tags", "spend", "resource")


def load() -> None:
    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}")
