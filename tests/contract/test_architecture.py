"""The floor plan holds: import-linter's contracts (pyproject.toml) are kept, and only the config
module reads the environment."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

SOURCES = sorted((REPO / "shared" / "costplane").rglob("*.py")) + sorted(
    (REPO / "functions").rglob("*.py")
)
CONFIG = REPO / "shared" / "costplane" / "config.py"


def _reads_environment(path: Path) -> list[str]:
    """Where a module reads the environment itself: os.environ, os.getenv, or a settings class."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb"):
            found.append(f"{path.relative_to(REPO)}:{node.lineno} os.{node.attr}")
        if isinstance(node, ast.ClassDef) and any(
            isinstance(base, ast.Name) and base.id == "BaseSettings" for base in node.bases
        ):
            found.append(f"{path.relative_to(REPO)}:{node.lineno} class {node.name}(BaseSettings)")
    return found


def test_only_the_config_module_reads_the_environment() -> None:
    readers = [hit for path in SOURCES if path != CONFIG for hit in _reads_environment(path)]
    assert readers == []


def test_the_config_module_is_seen_reading_it() -> None:
    assert _reads_environment(CONFIG)


def test_every_import_linter_contract_is_kept() -> None:
    done = subprocess.run(
        [Path(sys.executable).with_name("lint-imports"), "--no-cache"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert "5 kept, 0 broken" in done.stdout
