"""`costplane ingest` takes OpenAI and Anthropic report files: the source is detected or
named, the organisation comes from an org=<id> folder or --billing-account, unpriced usage
is said, and a broken file is refused with nothing committed."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
import typer
from typer.testing import CliRunner

from costplane.cli.ingest import ingest_command
from costplane.cli.lake import app as lake_app
from tests.conftest import TEST_DATA
from tests.support.ai_reports import completions, openai_bucket, openai_page, write_pages

app = typer.Typer()
app.add_typer(lake_app, name="lake")
app.command("ingest")(ingest_command)
SAMPLE = TEST_DATA / "focus" / "openai" / "api_example_usage_completions.json"


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COSTPLANE_LAKE", str(tmp_path / "lake"))
    runner = CliRunner()
    return lambda *args: runner.invoke(app, [str(a) for a in args])


def flat(text: str) -> str:
    return " ".join(text.split())


def accounts(cli) -> list[dict[str, object]]:
    query = (
        "SELECT BillingAccountId AS org, x_SourceName AS source, count(*) AS n"
        " FROM focus GROUP BY 1, 2"
    )
    return [orjson.loads(line) for line in cli("lake", "sql", "--json", query).stdout.splitlines()]


def test_the_source_is_detected_and_the_organisation_named_on_the_command_line(cli):
    result = cli("ingest", SAMPLE, "--billing-account", "org-spec")
    assert result.exit_code == 0, result.output
    assert "Ingested 10 rows from 1 file(s) as openai-usage" in flat(result.stdout)
    assert accounts(cli) == [{"org": "org-spec", "source": "openai-usage", "n": 10}]


def test_the_organisation_comes_from_the_landing_folder(cli, tmp_path):
    page = openai_page([openai_bucket("2025-08-01", [completions()])])
    path = write_pages(tmp_path / "landing" / "org=org-landed" / "2025-08.json", page)
    result = cli("ingest", "--source", "openai-usage", path)
    assert result.exit_code == 0, result.output
    assert accounts(cli) == [{"org": "org-landed", "source": "openai-usage", "n": 3}]


def test_unpriced_usage_is_said(cli):
    result = cli("ingest", SAMPLE, "--billing-account", "org-spec")
    assert "10 AI usage rows are unpriced (cost 0)" in flat(result.stderr + result.stdout)


def test_a_file_of_another_report_than_the_source_named_is_refused(cli):
    result = cli("ingest", "--source", "openai-costs", SAMPLE, "--billing-account", "org-spec")
    assert result.exit_code != 0
    assert "this file is openai-usage, not openai-costs" in flat(result.output)


def test_billing_account_is_refused_for_bills_that_carry_their_own(cli):
    oci = TEST_DATA / "focus" / "oci" / "oci_cost_report_2023-11-13_hours05-07.csv"
    result = cli("ingest", oci, "--billing-account", "org-x")
    assert result.exit_code != 0
    assert "--billing-account is for AI usage and cost reports" in flat(result.output)


def test_a_broken_file_is_refused_and_nothing_is_committed(cli, tmp_path):
    good = openai_bucket("2025-08-01", [completions()])
    bad = openai_bucket("2025-08-02", [completions(output_tokens="lots")])
    path = write_pages(tmp_path / "org=o" / "u.json", [openai_page([good]), openai_page([bad])])
    result = cli("ingest", path)
    assert result.exit_code != 0
    assert "page 2, bucket 1" in flat(result.output)
    assert "nothing was committed" in flat(result.output)
    history = cli("lake", "history", "--json").stdout.strip()
    assert history == ""


def test_a_directory_of_landed_reports_is_one_delivery(cli, tmp_path):
    page = openai_page([openai_bucket("2025-08-01", [completions()])])
    folder = tmp_path / "landing" / "org=org-landed"
    write_pages(folder / "2025-08.json", page)
    (folder / "notes.json").write_bytes(b'{"not": "a report"}')
    result = cli("ingest", folder)
    assert result.exit_code == 0, result.output
    assert accounts(cli) == [{"org": "org-landed", "source": "openai-usage", "n": 3}]
