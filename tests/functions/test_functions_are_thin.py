"""A function under functions/ is a plane's handler and nothing else (docs/architecture.md): its
docstring, the bindings its platform needs, and a call into bootstrap and the adapters. What a
function does beyond that belongs in its provider's adapters, written once for every function.
"""

from __future__ import annotations

from pathlib import Path

import pytest

FUNCTIONS = Path(__file__).resolve().parents[2] / "functions"
MOST = 30


def code_lines(path: Path) -> int:
    """Lines that are neither blank nor comments; docstrings count."""
    lines = (line.strip() for line in path.read_text().splitlines())
    return sum(1 for line in lines if line and not line.startswith("#"))


@pytest.mark.parametrize(
    "path", sorted(FUNCTIONS.rglob("*.py")), ids=lambda p: str(p.relative_to(FUNCTIONS))
)
def test_a_function_file_is_at_most_30_lines(path):
    assert code_lines(path) <= MOST


def test_every_cloud_has_function_files():
    assert {p.relative_to(FUNCTIONS).parts[0] for p in FUNCTIONS.rglob("*.py")} == {
        "aws",
        "azure",
        "gcp",
    }
