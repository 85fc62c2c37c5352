"""The costplane Function App (azure-functions v2 programming model): one blueprint per function.

Every module in `blueprints/` exposes `bp` and is registered here, so adding a function is
adding a module. The Functions host puts this directory on `sys.path`.
"""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import azure.functions as func

BLUEPRINTS = Path(__file__).parent / "blueprints"

app = func.FunctionApp()
for blueprint in sorted(pkgutil.iter_modules([str(BLUEPRINTS)]), key=lambda m: m.name):
    app.register_functions(importlib.import_module(f"blueprints.{blueprint.name}").bp)
