"""`costplane ingest` and `costplane lake sql|export|history`, run through typer's CliRunner."""

from __future__ import annotations

import csv
from pathlib import Path

import orjson
import pyarrow.parquet as pq
import pytest
import typer
from typer.testing import CliRunner

from costplane.billing.focus import registry
from costplane.cli.ingest import ingest_command
from costplane.cli.lake import app as lake_app

app = typer.Typer()
app.add_typer(lake_app, name="lake")
app.command("ingest")(ingest_command)


@pytest.fixture
def cli(tmp_path: Path, normaliser, monkeypatch: pytest.MonkeyPatch):
    """Run `costplane …` against a lake in tmp_path, with the test bill source registered."""
    monkeypatch.setitem(registry._NORMALISERS, normaliser.name, normaliser)
    monkeypatch.setenv("COSTPLANE_LAKE", str(tmp_path / "lake"))
    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args])


def flat(text: str) -> str:
    """Output with rich's wrapping and padding collapsed to single spaces."""
    return " ".join(text.split())


@pytest.fixture
def q1(bill, rows) -> Path:
    return bill("q1.arrows", rows(2, 1, cost="1.10"), rows(3, 2, cost="2.05", currency="EUR"))


def test_ingest_prints_rows_and_totals_per_period_and_currency(cli, q1):
    result = cli("ingest", "--source", "test-bill", q1)
    assert result.exit_code == 0, result.output
    assert "Ingested 5 rows from 1 file(s)" in flat(result.output)
    assert "│ 2024-01 │ 2 │ 2.20 USD │ 2.20 USD │" in flat(result.output)
    assert "│ 2024-02 │ 3 │ 6.15 EUR │ 6.15 EUR │" in flat(result.output)
    assert "│ total │ 3 │ 6.15 EUR │ 6.15 EUR │ │ total │ 2 │ 2.20 USD │ 2.20 USD │" in flat(
        result.output
    )


def test_ingest_json_reports_decimals_as_strings(cli, q1):
    result = cli("ingest", "--source", "test-bill", "--json", q1)
    report = orjson.loads(result.stdout)
    assert [(t["billing_period_start"], t["billed_cost"]) for t in report["totals"]] == [
        ("2024-01-01T00:00:00Z", "2.2000000000"),
        ("2024-02-01T00:00:00Z", "6.1500000000"),
    ]
    assert report["files"][0]["status"] == "ingested"


def test_ingest_into_lake_option_overrides_the_environment(cli, q1, tmp_path):
    result = cli("ingest", "--source", "test-bill", "--lake", tmp_path / "other", q1)
    assert result.exit_code == 0
    assert (tmp_path / "other" / "catalog.db").exists()
    assert not (tmp_path / "lake").exists()


def test_ingest_of_an_unchanged_file_says_so(cli, q1):
    cli("ingest", "--source", "test-bill", q1)
    result = cli("ingest", "--source", "test-bill", q1)
    assert result.exit_code == 0
    assert "nothing to do: 1 file(s) unchanged" in flat(result.output)


def test_ingest_rejects_an_unknown_source_listing_valid_ones(cli, q1):
    result = cli("ingest", "--source", "aws-curr", q1)
    assert result.exit_code == 2
    assert "unknown bill source 'aws-curr'" in flat(result.output)
    assert "test-bill" in result.output


def test_ingest_rejects_a_missing_file_before_touching_the_lake(cli, q1, tmp_path):
    result = cli("ingest", "--source", "test-bill", q1, tmp_path / "nope.csv")
    assert result.exit_code == 2
    assert f"no such file or directory: {tmp_path / 'nope.csv'}" in flat(result.output)
    assert not (tmp_path / "lake").exists()


def test_ingest_of_a_truncated_file_names_file_and_row_and_commits_nothing(cli, q1, rows, bill):
    whole = bill("feb.arrows", rows(40, 2), rows(40, 2))
    cut = whole.with_name("cut.arrows")
    cut.write_bytes(whole.read_bytes()[:-64])
    result = cli("ingest", "--source", "test-bill", q1, cut)
    assert result.exit_code == 2
    assert f"{cut}: row 41:" in flat(result.output)
    assert "(truncated); nothing was committed" in flat(result.output)
    assert cli("lake", "history", "--json").stdout == ""


def test_lake_sql_queries_the_table_as_focus(cli, q1):
    cli("ingest", "--source", "test-bill", q1)
    result = cli(
        "lake",
        "sql",
        "--json",
        "SELECT BillingCurrency AS c, sum(BilledCost) AS cost FROM focus GROUP BY 1 ORDER BY 1",
    )
    assert [orjson.loads(line) for line in result.stdout.splitlines()] == [
        {"c": "EUR", "cost": "6.1500000000"},
        {"c": "USD", "cost": "2.2000000000"},
    ]


def test_lake_sql_reports_a_sql_error_cleanly(cli, q1):
    cli("ingest", "--source", "test-bill", q1)
    result = cli("lake", "sql", "SELECT nope FROM focus")
    assert result.exit_code == 2
    assert "nope" in result.output


def test_lake_sql_of_an_empty_query_says_so(cli, q1):
    cli("ingest", "--source", "test-bill", q1)
    result = cli("lake", "sql", "  ")
    assert result.exit_code == 2
    assert "the query is empty" in result.output


def test_lake_sql_refuses_to_write_a_file(cli, q1, tmp_path):
    cli("ingest", "--source", "test-bill", q1)
    result = cli("lake", "sql", f"COPY focus TO '{tmp_path / 'out.csv'}'")
    assert result.exit_code == 2
    assert "disabled by configuration" in flat(result.output)
    assert not (tmp_path / "out.csv").exists()


def test_lake_commands_do_not_create_a_missing_lake(cli, tmp_path):
    result = cli("lake", "sql", "SELECT 1")
    assert result.exit_code == 2
    assert "no lake at" in flat(result.output)
    assert not (tmp_path / "lake").exists()


def test_lake_export_writes_parquet_with_every_column(cli, q1, tmp_path):
    cli("ingest", "--source", "test-bill", q1)
    result = cli("lake", "export", "--format", "parquet", tmp_path / "out.parquet")
    assert result.output == f"wrote 5 rows to {tmp_path / 'out.parquet'}\n"
    assert "x_TagsMap" in pq.read_schema(tmp_path / "out.parquet").names


def test_lake_export_focus_only_csv_has_spec_columns_and_iso_dates(cli, q1, tmp_path):
    cli("ingest", "--source", "test-bill", q1)
    cli("lake", "export", "--format", "csv", "--focus-only", tmp_path / "out.csv")
    with (tmp_path / "out.csv").open() as stream:
        exported = list(csv.DictReader(stream))
    assert len(exported) == 5
    assert not [name for name in exported[0] if name.startswith("x_")]
    assert {row["BillingPeriodStart"] for row in exported} == {
        "2024-01-01T00:00:00Z",
        "2024-02-01T00:00:00Z",
    }


def test_lake_history_lists_each_commit_with_its_source_files(cli, q1):
    cli("ingest", "--source", "test-bill", q1)
    result = cli("lake", "history", "--json")
    (commit,) = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert (commit["operation"], commit["added_rows"], commit["source"]) == (
        "append",
        5,
        "test-bill",
    )
    assert commit["files"] == [str(q1.resolve())]


@pytest.mark.parametrize(
    "command", [["ingest"], ["lake"], ["lake", "sql"], ["lake", "export"], ["lake", "history"]]
)
def test_every_command_explains_itself(cli, command):
    result = cli(*command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_lake_delete_json_reports_the_rows_and_snapshot(cli, q1):
    cli("ingest", "--source", "test-bill", q1)

    result = cli("lake", "delete", "--source", "test-bill", "--period", "2024-02", "--json")

    assert result.exit_code == 0, result.output
    deletion = orjson.loads(result.stdout)
    assert (deletion["rows"], deletion["period"]) == (3, "2024-02")
    assert isinstance(deletion["snapshot_id"], int)
    history = [orjson.loads(line) for line in cli("lake", "history", "--json").stdout.splitlines()]
    assert history[-1]["snapshot_id"] == deletion["snapshot_id"]


def test_lake_delete_of_nothing_warns_and_succeeds(cli, q1):
    cli("ingest", "--source", "test-bill", q1)

    result = cli("lake", "delete", "--source", "test-bill", "--period", "2023-02")

    assert result.exit_code == 0
    assert "nothing deleted" in flat(result.stderr)


def test_lake_delete_rejects_a_period_that_is_not_a_month(cli, q1):
    cli("ingest", "--source", "test-bill", q1)

    result = cli("lake", "delete", "--source", "test-bill", "--period", "2024-13")

    assert result.exit_code == 2
    assert "YYYY-MM" in flat(result.stderr)


def test_lake_expire_json_reports_each_table(cli, q1, bill, rows):
    cli("ingest", "--source", "test-bill", q1)
    cli("ingest", "--source", "test-bill", bill("q1.arrows", rows(1, 1)))

    result = cli("lake", "expire", "--older-than", "0s", "--json")

    assert result.exit_code == 0, result.output
    done = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert [(t["table"], t["expired_snapshots"]) for t in done] == [
        ("costplane.focus", 1),
        ("costplane.ingested_files", 2),
    ]


def test_lake_expire_rejects_an_age_without_a_unit(cli, q1):
    cli("ingest", "--source", "test-bill", q1)

    result = cli("lake", "expire", "--older-than", "3")

    assert result.exit_code == 2
    assert "3d, 12h" in flat(result.stderr)
