"""`make demo` runs `costplane demo`: it must keep working over the bundled samples."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from costplane.cli import app
from tests.conftest import REPO


@pytest.fixture
def in_repo(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(REPO)
    return REPO


def test_demo_decides_events_and_totals_the_lake(in_repo: Path, tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["demo", "--lake", str(tmp_path / "lake")])
    assert result.exit_code == 0, result.output
    assert "1. Event path" in result.stdout
    assert "violation" in result.stdout
    assert "duplicate delivery" in result.stdout
    assert "Lake totals per provider and billing period" in result.stdout
    assert "Oracle" in result.stdout


def test_demo_escalates_a_budget_breach_and_acts_once_approved(
    in_repo: Path, tmp_path: Path
) -> None:
    result = CliRunner().invoke(app, ["demo", "--lake", str(tmp_path / "lake")])
    assert result.exit_code == 0, result.output
    assert "updated azure-sandbox" in result.stdout
    assert "escalate:done" in result.stdout
    assert "HTTP 200" in result.stdout
    assert "suspend:done" in result.stdout


def test_demo_can_run_twice_on_the_same_lake(in_repo: Path, tmp_path: Path) -> None:
    lake = str(tmp_path / "lake")
    CliRunner().invoke(app, ["demo", "--lake", lake])
    again = CliRunner().invoke(app, ["demo", "--lake", lake])
    assert again.exit_code == 0, again.output
    assert "unchanged" in again.stdout
    assert os.path.isdir(lake)
