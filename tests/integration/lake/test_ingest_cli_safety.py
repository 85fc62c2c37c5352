"""`costplane ingest` on the real CUR sample: directories and globs are one delivery, the
source is detected, and a person at a terminal confirms replacing other files' rows."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
import typer
from typer.testing import CliRunner

from costplane.cli import delivery
from costplane.cli.ingest import ingest_command
from costplane.cli.lake import app as lake_app
from tests.integration.lake.test_ingest_safety import CUR, CUR_ROWS, FOCUS, split_csv, with_columns

app = typer.Typer()
app.add_typer(lake_app, name="lake")
app.command("ingest")(ingest_command)


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COSTPLANE_LAKE", str(tmp_path / "lake"))
    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def at_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(delivery, "interactive", lambda: True)


@pytest.fixture
def halves(tmp_path: Path) -> list[Path]:
    return split_csv(CUR, tmp_path / "cur", 2)


def flat(text: str) -> str:
    return " ".join(text.split())


def lake_rows(cli) -> int:
    result = cli("lake", "sql", "--json", "SELECT count(*) AS n FROM focus")
    return int(orjson.loads(result.stdout)["n"])


def commits(cli) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in cli("lake", "history", "--json").stdout.splitlines()]


def test_a_directory_is_one_delivery_in_one_commit(cli, halves):
    result = cli("ingest", halves[0].parent)
    assert result.exit_code == 0, result.output
    assert f"Ingested {CUR_ROWS} rows from 2 file(s) as aws-cur" in flat(result.stdout)
    assert [len(c["files"]) for c in commits(cli)] == [2]


def test_a_quoted_glob_is_one_delivery_in_one_commit(cli, halves):
    result = cli("ingest", "--source", "aws-cur", halves[0].parent / "*-part*.csv")
    assert result.exit_code == 0, result.output
    assert [len(c["files"]) for c in commits(cli)] == [2]
    assert lake_rows(cli) == CUR_ROWS


def test_a_directory_without_bill_files_is_bad_input(cli, tmp_path):
    (tmp_path / "empty").mkdir()
    result = cli("ingest", tmp_path / "empty")
    assert result.exit_code == 2
    assert "no bill files" in flat(result.output)


def test_a_file_fitting_two_sources_is_refused_naming_both(cli, tmp_path):
    both = with_columns(
        FOCUS, tmp_path / "both.csv", {"x_ServiceCode": "AmazonEC2", "x_ResourceGroupName": "rg"}, 5
    )
    result = cli("ingest", both)
    assert result.exit_code == 2
    assert "it fits: aws-focus, azure-focus); pass --source" in flat(result.output)


def test_at_a_terminal_the_second_half_of_a_cur_asks_for_replace(cli, halves, at_a_terminal):
    first = cli("ingest", halves[0])
    result = cli("ingest", halves[1])
    assert result.exit_code == 2
    assert "ingest again with --replace" in flat(result.output)
    assert f"replaces {first_rows(first)} rows that came from 1 other file(s)" in flat(
        result.output
    )
    assert lake_rows(cli) == first_rows(first)
    assert len(commits(cli)) == 1


def test_at_a_terminal_replace_restates_and_says_what_it_replaced(cli, halves, at_a_terminal):
    cli("ingest", halves[0])
    result = cli("ingest", "--replace", halves[1])
    assert result.exit_code == 0, result.output
    assert "other file(s)" in flat(result.stderr)
    assert "Totals of the restated periods, before and after" in flat(result.stdout)
    assert lake_rows(cli) == CUR_ROWS - CUR_ROWS // 2 - CUR_ROWS % 2


def test_a_script_restates_and_warns_on_stderr(cli, halves):
    cli("ingest", halves[0])
    result = cli("ingest", halves[1])
    assert result.exit_code == 0, result.output
    assert "warning: replaces" in flat(result.stderr)


def test_at_a_terminal_a_delivery_with_its_manifest_needs_no_replace(
    cli, halves, tmp_path, at_a_terminal
):
    cli("ingest", halves[0])
    delivered = tmp_path / "delivery"
    delivered.mkdir()
    halves[1].rename(delivered / halves[1].name)
    (delivered / "cur-Manifest.json").write_text('{"reportKeys": []}')
    result = cli("ingest", delivered)
    assert result.exit_code == 0, result.output
    assert "warning: replaces" in flat(result.stderr)


def test_a_header_only_file_warns_and_commits_nothing(cli, tmp_path):
    header_only = tmp_path / "header.csv"
    header_only.write_text(CUR.read_text(encoding="utf-8-sig").splitlines()[0] + "\n")
    result = cli("ingest", header_only)
    assert result.exit_code == 0, result.output
    assert "holds no rows (a header only?)" in flat(result.stderr)
    assert "snapshot None" not in result.output
    assert commits(cli) == []


def test_the_same_bill_under_a_second_source_is_refused(cli):
    cli("ingest", FOCUS)
    result = cli("ingest", "--source", "azure-focus", FOCUS)
    assert result.exit_code == 2
    assert "already in the lake as source focus" in flat(result.output)
    assert lake_rows(cli) == 1000


def first_rows(result) -> int:
    return int(flat(result.stdout).split("Ingested ")[1].split(" rows")[0].replace(",", ""))
