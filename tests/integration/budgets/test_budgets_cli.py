"""`costplane budgets status`: a lake on disk, run-rates in its state file, a budgets file."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest
import typer
from typer.testing import CliRunner, Result

from costplane.billing.lake.table import Lake
from costplane.bootstrap import budget_service, plane
from costplane.budgets.loader import load_budgets
from costplane.cli.budgets import app
from costplane.config import Settings
from tests.integration.budgets.conftest import Charge, at
from tests.unit.budgets.budget_support import real_events

BUDGETS = """\
version: 1
budgets:
  - name: aws-compute
    scope: {provider: aws, account: "644160558196"}
    amount: 100
    thresholds:
      - {percent: 50, action: notify}
      - {percent: 100, action: throttle}
  - name: gcp
    scope: {provider: gcp}
    amount: 10
"""
AT = "2026-11-21T12:00:00"


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    monkeypatch.delenv("COSTPLANE_STATE", raising=False)
    root = typer.Typer()
    root.add_typer(app, name="budgets")
    return lambda *args: CliRunner().invoke(root, ["budgets", *args])


@pytest.fixture
def budgets_file(tmp_path: Path) -> Path:
    path = tmp_path / "budgets.yaml"
    path.write_text(BUDGETS)
    return path


@pytest.fixture
def spending(lake: Lake, charge: Callable[..., None], budgets_file: Path, tmp_path: Path) -> Path:
    """$50 in the lake up to Nov 20 00:00, and a running m3.medium ($0.067/h) seen since."""
    account = "644160558196"
    charge(Charge("40", at(2), account=account), Charge("10", at(19, 23), account=account))
    lake_dir = tmp_path / "lake"
    local = plane(Settings(lake=lake_dir))
    service = budget_service(local, load_budgets(budgets_file), at(21, 12))
    service.observe(real_events("aws/aws-cloudtrail-ec2-runinstances-iamuser-record.json")[0])
    return lake_dir


def _rows(result: Result) -> dict[str, dict[str, Any]]:
    assert result.exit_code == 0, result.output
    rows = [orjson.loads(line) for line in result.stdout.splitlines()]
    return {row["budget"]: row for row in rows}


def test_status_json_reports_actual_run_rate_and_projection(
    cli: Callable[..., Result], budgets_file: Path, spending: Path
) -> None:
    rows = _rows(
        cli("status", "--budgets", str(budgets_file), "--lake", str(spending), "--at", AT, "--json")
    )
    aws = rows["aws-compute"]
    assert Decimal(aws["actual"]) == Decimal(50)
    assert Decimal(aws["run_rate_per_hour"]) == Decimal("0.067")
    assert Decimal(aws["projected"]) == Decimal("67.688")  # 50 + 0.067 x 264 h (Nov 20 -> Dec 1)
    assert (aws["used_percent"], aws["projected_percent"]) == ("50.00", "67.69")
    assert aws["next_threshold"] == {"percent": "100", "action": "throttle", "basis": "projected"}
    assert (aws["state"], aws["period"], aws["lake_through"]) == (
        "notify",
        "2026-11",
        "2026-11-20T00:00:00+00:00",
    )


def test_budgets_outside_the_spend_stand_at_zero(
    cli: Callable[..., Result], budgets_file: Path, spending: Path
) -> None:
    rows = _rows(
        cli("status", "--budgets", str(budgets_file), "--lake", str(spending), "--at", AT, "--json")
    )
    gcp = rows["gcp"]
    assert (Decimal(gcp["actual"]), Decimal(gcp["projected"]), gcp["state"]) == (0, 0, "ok")
    assert gcp["next_threshold"] is None


def test_status_prints_a_table_per_budget(
    cli: Callable[..., Result], budgets_file: Path, spending: Path
) -> None:
    result = cli("status", "--budgets", str(budgets_file), "--lake", str(spending), "--at", AT)
    assert result.exit_code == 0, result.output
    assert "aws-compute" in result.stdout
    assert "50% → 68%" in result.stdout


def test_status_verbose_adds_the_next_threshold_and_where_the_actual_comes_from(
    cli: Callable[..., Result], budgets_file: Path, spending: Path
) -> None:
    result = cli(
        "status", "--budgets", str(budgets_file), "--lake", str(spending), "--at", AT, "--verbose"
    )
    assert "100% projected: throttle" in result.stdout
    assert "from lake" in result.stdout


def test_an_invalid_budgets_file_names_the_file_and_field_and_nothing_runs(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("budgets:\n  - {name: x, amount: -5}\n")
    result = cli("status", "--budgets", str(path), "--lake", str(tmp_path / "lake"), "--json")
    assert result.exit_code == 2
    assert "budgets.0.amount: Input should be greater than 0" in result.output
    assert str(path) in result.output.replace("\n", "")
    assert not (tmp_path / "lake").exists()


def test_status_over_no_lake_warns_that_actuals_come_only_from_alerts(
    cli: Callable[..., Result], budgets_file: Path, tmp_path: Path
) -> None:
    result = cli(
        "status", "--budgets", str(budgets_file), "--lake", str(tmp_path / "x"), "--at", AT
    )
    assert result.exit_code == 0, result.output
    assert "warning: no lake at" in result.stderr
    assert "actuals come only from cloud budget alerts" in result.stderr


def test_status_with_the_bundled_budgets_says_they_are_examples(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    result = cli("status", "--lake", str(tmp_path / "none"), "--at", AT)
    assert "these are the bundled example budgets" in result.stderr


def test_status_shows_the_currency_of_every_money_column(
    cli: Callable[..., Result], budgets_file: Path, tmp_path: Path
) -> None:
    result = cli(
        "status", "--budgets", str(budgets_file), "--lake", str(tmp_path / "x"), "--at", AT
    )
    flat = " ".join(result.stdout.split())
    assert "┃ amount ┃ actual ┃ projected ┃" in flat
    assert "┃ budget ┃ period ┃ USD ┃ USD ┃ USD ┃" in flat
