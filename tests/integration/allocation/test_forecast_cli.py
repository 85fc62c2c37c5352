"""`costplane forecast` and `costplane forecast backtest`, through typer's CliRunner."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import orjson
import pytest
import typer
from typer.testing import CliRunner, Result

from costplane.cli.forecast import app


@pytest.fixture
def cli(samples_lake: Path) -> Callable[..., Result]:
    root = typer.Typer()
    root.add_typer(app, name="forecast")
    return lambda *args: CliRunner().invoke(root, ["forecast", *map(str, args)])


def flat(text: str) -> str:
    return " ".join(text.split())


def test_forecast_projects_each_provider_to_period_end_and_three_months(
    cli: Callable[..., Result], samples_lake: Path
) -> None:
    result = cli("--scope", "ProviderName", "--lake", samples_lake, "--json")
    assert result.exit_code == 0, result.output
    rows = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert {r["scope"] for r in rows} == {"AWS", "Microsoft", "Oracle"}
    aws = [r for r in rows if r["scope"] == "AWS"]
    assert [r["month"] for r in aws] == ["2024-09", "2024-10", "2024-11", "2024-12"]
    assert aws[0]["as_of"] == "2024-09-30"
    assert aws[0]["forecast"] == aws[0]["actual_to_date"] == "13.00"
    assert all(Decimal(r["low"]) <= Decimal(r["forecast"]) <= Decimal(r["high"]) for r in rows)


def test_forecast_table_shows_each_month_with_its_interval(
    cli: Callable[..., Result], samples_lake: Path
) -> None:
    result = cli("--lake", samples_lake, "--horizon", "1m")
    assert result.exit_code == 0, result.output
    output = flat(result.output)
    assert "Forecast by total · as of 2024-09-30 · 80% intervals" in output
    assert "│ total │ 2024-10 │" in output


def test_a_bad_horizon_is_a_usage_error(cli: Callable[..., Result], samples_lake: Path) -> None:
    result = cli("--lake", samples_lake, "--horizon", "three")
    assert result.exit_code == 2
    assert "is not a number of months such as 3m" in flat(result.output)


def test_backtest_on_a_lake_with_one_month_of_history_says_what_is_missing(
    cli: Callable[..., Result], samples_lake: Path
) -> None:
    result = cli("backtest", "--lake", samples_lake)
    assert result.exit_code == 2
    assert "not_enough_history" in result.output
    assert "(try --synthetic 20)" in flat(result.output)


def test_backtest_on_generated_histories_reports_model_beside_baseline(
    cli: Callable[..., Result],
) -> None:
    result = cli("backtest", "--synthetic", 2, "--origins", 2, "--horizon", "1m", "--json")
    assert result.exit_code == 0, result.output
    report = orjson.loads(result.stdout)
    assert report["origins"] == ["2025-05-01", "2025-06-01"]
    assert [(o["model"], o["months_ahead"], o["forecasts"]) for o in report["overall"]] == [
        ("MSTL", 1, 4),
        ("SeasonalNaive", 1, 4),
    ]
    assert {s["scope"] for s in report["scopes"]} == {"scope-0000", "scope-0001"}


def test_backtest_table_compares_model_and_baseline(cli: Callable[..., Result]) -> None:
    result = cli("backtest", "--synthetic", 2, "--origins", 1, "--horizon", "2m")
    assert result.exit_code == 0, result.output
    output = flat(result.output)
    assert "Backtest, next month's total · 1 origins (2025-05 … 2025-05)" in output
    assert "All scopes, by months ahead" in output


def test_forecast_by_a_tag_no_line_carries_warns_that_everything_is_none(
    cli: Callable[..., Result], samples_lake: Path
) -> None:
    result = cli("--scope", "tag:nope", "--lake", samples_lake, "--json")
    assert result.exit_code == 0, result.output
    assert "no bill line has tag 'nope': everything is forecast as (none)" in result.stderr


def test_forecast_from_a_few_days_of_history_warns_it_is_a_rough_guess(
    cli: Callable[..., Result], samples_lake: Path
) -> None:
    result = cli("--scope", "ProviderName", "--lake", samples_lake, "--json")
    assert "Oracle (USD) has 7 day(s) of history" in result.stderr
    assert "AWS (USD)" not in result.stderr


def test_forecast_table_names_the_currency_of_its_money_columns(
    cli: Callable[..., Result], samples_lake: Path
) -> None:
    result = cli("--scope", "ProviderName", "--lake", samples_lake)
    assert "│ AWS │ 2024-09 │ 13.00 │ 13.00 │ 13.00 to 13.00 │" in flat(result.stdout)
    assert "┃ scope ┃ month ┃ USD ┃ USD ┃ USD ┃" in flat(result.stdout)
