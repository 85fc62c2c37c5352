"""`costplane budgets status --forecast`: each period end forecast from the lake's daily
EffectiveCost, the projection raised to it, and its interval shown."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest
import typer
from typer.testing import CliRunner, Result

from costplane.adapters.lake.budget_actuals import lake_daily_spend
from costplane.billing.lake.table import Lake
from costplane.cli.budgets import app
from costplane.domain.budgets import BudgetsFile
from tests.integration.budgets.conftest import Charge, at

ACCOUNT = "644160558196"
BUDGETS = f"""\
version: 1
budgets:
  - name: aws-compute
    scope: {{provider: aws, account: "{ACCOUNT}"}}
    amount: 400
  - name: gcp
    scope: {{provider: gcp}}
    amount: 10
"""
AT = "2026-11-21T12:00:00"
FIRST_DAY = date(2026, 9, 21)
LAST_DAY = date(2026, 11, 19)


def _daily_cost(day: date) -> Decimal:
    """A weekly pattern, about $12 on weekdays and $6 at weekends, with some wobble."""
    wobble = Decimal(day.toordinal() % 5) / 2 - 1
    return (Decimal(6) if day.weekday() >= 5 else Decimal(12)) + wobble


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _start(day: date, hour: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Result]:
    monkeypatch.delenv("COSTPLANE_STATE", raising=False)
    root = typer.Typer()
    root.add_typer(app, name="budgets")
    return lambda *args: CliRunner().invoke(root, ["budgets", *args])


@pytest.fixture
def weekly_lake(lake: Lake, charge: Callable[..., None], tmp_path: Path) -> Path:
    """Sixty days of weekly-patterned spend in one account, the last on Nov 19."""
    charge(
        *(
            Charge(str(_daily_cost(day)), _start(day, 8), account=ACCOUNT, hours=1)
            for day in _days(FIRST_DAY, LAST_DAY)
        )
    )
    return tmp_path / "lake"


@pytest.fixture
def budgets_file(tmp_path: Path) -> Path:
    path = tmp_path / "budgets.yaml"
    path.write_text(BUDGETS)
    return path


def _status(cli: Callable[..., Result], *args: str) -> dict[str, dict[str, Any]]:
    result = cli("status", *args, "--at", AT, "--json")
    assert result.exit_code == 0, result.output
    rows = [orjson.loads(line) for line in result.stdout.splitlines()]
    return {row["budget"]: row for row in rows}


def _spend(lake: Lake, *documents: dict[str, object]) -> dict[str, dict[date, Decimal]]:
    found = BudgetsFile.model_validate({"budgets": list(documents)}).budgets
    return lake_daily_spend(lake, found, at(21, 12))


def test_forecast_raises_the_projection_to_the_forecast_period_end(
    cli: Callable[..., Result], budgets_file: Path, weekly_lake: Path
) -> None:
    args = ("--budgets", str(budgets_file), "--lake", str(weekly_lake))
    before = _status(cli, *args)["aws-compute"]
    after = _status(cli, *args, "--forecast")["aws-compute"]
    november = sum(_daily_cost(d) for d in _days(date(2026, 11, 1), date(2026, 11, 30)))
    assert (before["forecast"], Decimal(before["projected"])) == (None, Decimal(before["actual"]))
    forecast, low, high = (Decimal(after[k]) for k in ("forecast", "forecast_low", "forecast_high"))
    assert Decimal(after["projected"]) == forecast
    assert Decimal(after["actual"]) < low < forecast < high
    assert abs(forecast - november) / november < Decimal("0.05")


def test_a_budget_with_no_history_has_no_forecast(
    cli: Callable[..., Result], budgets_file: Path, weekly_lake: Path
) -> None:
    gcp = _status(cli, "--budgets", str(budgets_file), "--lake", str(weekly_lake), "--forecast")
    assert [gcp["gcp"][k] for k in ("forecast", "forecast_low", "forecast_high")] == [None] * 3
    assert Decimal(gcp["gcp"]["projected"]) == 0


def test_forecast_adds_forecast_low_and_high_columns_to_the_table(
    cli: Callable[..., Result], budgets_file: Path, weekly_lake: Path
) -> None:
    args = ("status", "--budgets", str(budgets_file), "--lake", str(weekly_lake), "--at", AT)
    plain, forecast = cli(*args), cli(*args, "--forecast")
    assert (plain.exit_code, forecast.exit_code) == (0, 0), forecast.output
    header = next(line for line in forecast.stdout.splitlines() if "budget" in line)
    assert [c in header for c in ("forecast", "low", "high")] == [True] * 3
    assert "forecast" not in plain.stdout


def test_daily_spend_sums_each_utc_day_of_the_scope(
    lake: Lake, charge: Callable[..., None]
) -> None:
    charge(Charge("1", at(18, 1)), Charge("2", at(18, 23)), Charge("4", at(19, 5)))
    assert _spend(lake, {"name": "all", "amount": 1}) == {
        "all": {date(2026, 11, 18): Decimal(3), date(2026, 11, 19): Decimal(4)}
    }


def test_daily_spend_is_zero_on_days_the_lake_has_rows_but_the_scope_has_none(
    lake: Lake, charge: Callable[..., None]
) -> None:
    charge(
        Charge("1", at(16), provider="AWS"),
        Charge("2", at(17), provider="Google Cloud", account="data-lake"),
        Charge("4", at(18), provider="AWS"),
    )
    assert _spend(lake, {"name": "aws", "amount": 1, "scope": {"provider": "aws"}}) == {
        "aws": {date(2026, 11, 16): 1, date(2026, 11, 17): 0, date(2026, 11, 18): 4}
    }


def test_daily_spend_leaves_out_days_with_no_rows_and_days_before_the_scope_starts(
    lake: Lake, charge: Callable[..., None]
) -> None:
    charge(
        Charge("2", at(10), provider="Google Cloud", account="data-lake"),
        Charge("1", at(14), provider="AWS"),
        Charge("4", at(16), provider="AWS"),
    )
    assert _spend(lake, {"name": "aws", "amount": 1, "scope": {"provider": "aws"}}) == {
        "aws": {date(2026, 11, 14): 1, date(2026, 11, 16): 4}
    }


def test_daily_spend_reads_ninety_days_back_in_the_budget_currency(
    lake: Lake, charge: Callable[..., None]
) -> None:
    charge(
        Charge("8", at(22, month=8)),
        Charge("1", at(23, month=8)),
        Charge("2", at(5), currency="EUR"),
        Charge("16", at(21, 13)),
    )
    assert _spend(
        lake, {"name": "usd", "amount": 1}, {"name": "none", "amount": 1, "currency": "JPY"}
    ) == {
        "usd": {date(2026, 8, 23): 1, date(2026, 11, 5): 0},
        "none": {},
    }
