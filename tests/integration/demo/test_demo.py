"""`make demo` runs `costplane demo`: it must keep working over the bundled samples."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from costplane.cli import app, output
from tests.conftest import REPO

WIDTH = 100
"""A laptop terminal: the demo must read well in it."""
MAX_LINES = 165
SCREEN = 50
"""Lines one step of the demo may take: about one screen."""


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("demo") / "lake"


@pytest.fixture(scope="module")
def demo(lake: Path) -> Result:
    """One run of the demo from the repository root, shared by the specifications below."""
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(REPO)
        patch.setattr(output.console, "width", WIDTH)
        patch.setattr(output.errors, "width", WIDTH)
        result = CliRunner().invoke(app, ["demo", "--lake", str(lake)])
    assert result.exit_code == 0, result.output
    return result


def test_demo_fits_a_100_column_terminal_one_screen_per_step(demo: Result) -> None:
    lines = demo.output.splitlines()
    steps = [index for index, line in enumerate(lines) if line.startswith("─") and ". " in line]
    screens = [end - start for start, end in zip(steps, [*steps[1:], len(lines)], strict=True)]
    assert (len(steps), max(len(line) for line in lines)) == (6, WIDTH)
    assert len(lines) <= MAX_LINES
    assert max(screens) <= SCREEN, screens


def test_demo_decides_every_bundled_event_and_shows_a_duplicate_acting_once(demo: Result) -> None:
    assert "1. Events" in demo.stdout
    assert "violation" in demo.stdout
    assert "duplicate delivery" in demo.stdout


def test_demo_counts_files_that_are_not_resource_changes_instead_of_listing_them(
    demo: Result,
) -> None:
    changes = re.search(r"(\d+) resource changes in (\d+) event files", demo.stdout)
    others = re.search(r"(\d+) other files are not resource changes", demo.stdout)
    assert changes
    assert others
    assert 0 < int(others[1]) < int(changes[2])
    assert "aws-marketplace-saas" not in demo.stdout


def test_demo_totals_the_lake_per_provider_and_period_with_a_grand_total(demo: Result) -> None:
    assert "The lake: totals per provider and billing period" in demo.stdout
    assert "Oracle" in demo.stdout
    assert "│ total     │         │ 1,982 │" in demo.stdout


def test_demo_budgets_read_their_actuals_from_the_lake_in_the_bills_month(demo: Result) -> None:
    assert "Budgets as of 2024-09-20 22:00 UTC" in demo.stdout
    assert "1.98 USD from the lake, 11,111.00 USD from Azure's alert" in demo.stdout
    [consolidated] = [line for line in demo.stdout.splitlines() if "aws-consolidat" in line]
    assert "13.00" in consolidated


def test_demo_escalates_a_budget_breach_and_acts_once_approved(demo: Result) -> None:
    assert "updated azure-sandbox" in demo.stdout
    assert "escalate done" in demo.stdout
    assert "Slack: approval needed" in demo.stdout
    assert "HTTP 200, approved; suspend done" in demo.stdout


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


def test_demo_lands_ai_usage_that_breaches_ai_budgets_and_pulls_the_vendors_lever(
    demo: Result,
) -> None:
    assert "6. AI budgets" in demo.stdout
    [crossed] = [line for line in demo.stdout.splitlines() if "(101%)" in line]
    assert "suspend openai.project done" in crossed
    assert (
        "Recorded on the local plane: suspend apikey_01Rj2N8SVvo6BePZj99NhmiT, suspend proj_search"
        in demo.stdout
    )
    assert "│ search │  50,400,000 │" in demo.stdout
