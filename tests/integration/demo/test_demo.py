"""`make demo` runs `costplane demo`: it must keep working over the bundled samples."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from costplane.cli import app
from tests.conftest import REPO


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("demo") / "lake"


@pytest.fixture(scope="module")
def demo(lake: Path) -> Result:
    """One run of the demo from the repository root, shared by the specifications below."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        result = CliRunner().invoke(app, ["demo", "--lake", str(lake)])
    assert result.exit_code == 0, result.output
    return result


def test_demo_decides_every_bundled_event_and_shows_a_duplicate_acting_once(demo: Result) -> None:
    assert "1. Event path" in demo.stdout
    assert "violation" in demo.stdout
    assert "duplicate delivery" in demo.stdout


def test_demo_totals_the_lake_per_provider_and_period(demo: Result) -> None:
    assert "Lake totals per provider and billing period" in demo.stdout
    assert "Oracle" in demo.stdout


def test_demo_escalates_a_budget_breach_and_acts_once_approved(demo: Result) -> None:
    assert "updated azure-sandbox" in demo.stdout
    assert "escalate:done" in demo.stdout
    assert "HTTP 200" in demo.stdout
    assert "suspend:done" in demo.stdout


def test_demo_allocates_to_the_cent_and_forecasts(demo: Result) -> None:
    assert "Chargeback example" in demo.stdout
    assert "(equal)" in demo.stdout
    assert "Forecast by ProviderName" in demo.stdout


def test_demo_runs_again_on_the_same_lake(demo: Result, lake: Path) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        again = CliRunner().invoke(app, ["demo", "--lake", str(lake)])
    assert again.exit_code == 0, again.output
    assert "unchanged" in again.stdout
