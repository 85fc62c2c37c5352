"""A Lambda event function imports Powertools before costplane's core, so Powertools' batch
utility leaves its pydantic models of every AWS event source unloaded (a cold start's ~70 ms).

Each function is imported in a new process, as a new execution environment would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
PROBE = """
import sys
import app
loaded = sorted(name for name in sys.modules if name.startswith(sys.argv[1]))
print("batch" if "aws_lambda_powertools.utilities.batch" in sys.modules else "no batch")
print(",".join(loaded))
"""
ENVIRONMENT = {
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "COSTPLANE_IDEMPOTENCY_TABLE": "idempotency",
}


def imported_after(function: str, prefix: str) -> tuple[str, str]:
    """Whether Powertools batch was imported, and the modules under `prefix`, once the
    function's module is imported in a new process."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, prefix],
        cwd=REPO / "functions" / "aws" / function,
        env={**os.environ, **ENVIRONMENT, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        check=True,
    )
    batch, loaded = done.stdout.splitlines()
    return batch, loaded


@pytest.mark.parametrize("function", ["tag_enforcer", "policy_runner"])
def test_an_event_function_loads_powertools_batch_without_its_event_models(function):
    batch, parser_modules = imported_after(function, "aws_lambda_powertools.utilities.parser")

    assert batch == "batch"
    assert parser_modules == ""
