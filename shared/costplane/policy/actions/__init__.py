"""Built-in actions; importing a module registers its actions."""

from __future__ import annotations

import importlib

MODULES = ("messages", "resource")


def load() -> None:
    for name in MODULES:
        importlib.import_module(f"{__name__}.{name}")
