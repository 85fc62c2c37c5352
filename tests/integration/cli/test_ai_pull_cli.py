"""`costplane ai pull`: an AI vendor's reports fetched on this machine into a directory laid out
as the functions land them, with the keys of COSTPLANE_AI_ADMIN_KEYS or a key file; a report
that could not be fetched whole writes nothing and exits 1."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import httpx
import orjson
import pytest
from typer.testing import CliRunner

from costplane.adapters import rest
from costplane.cli import app
from tests.integration.ai_vendors.pages import KEYS, Vendors

runner = CliRunner()


@pytest.fixture
def vendors(monkeypatch, tmp_path) -> Vendors:
    answering = Vendors()
    client = httpx.Client(transport=httpx.MockTransport(answering))
    monkeypatch.setattr(rest, "shared_client", lambda: client)
    monkeypatch.setenv("COSTPLANE_LAKE", str(tmp_path / "lake"))
    monkeypatch.delenv("COSTPLANE_AI_ADMIN_KEYS", raising=False)
    return answering


def month() -> str:
    return f"{datetime.now(UTC):%Y-%m}"


def test_the_reports_of_each_configured_organisation_are_written_one_file_each(
    vendors, tmp_path, monkeypatch
):
    monkeypatch.setenv("COSTPLANE_AI_ADMIN_KEYS", orjson.dumps(KEYS).decode())

    result = runner.invoke(app, ["ai", "pull", "--vendor", "openai", "--out", str(tmp_path / "ai")])

    assert result.exit_code == 0, result.output
    usage = tmp_path / "ai" / "openai-usage" / "org=org-abc" / f"{month()}.json"
    costs = tmp_path / "ai" / "openai-costs" / "org=org-abc" / f"{month()}.json"
    assert len(orjson.loads(usage.read_bytes())) == 8
    assert orjson.loads(costs.read_bytes())[0]["data"][0]["results"][0]["amount"]["value"] == 1.5
    assert not (tmp_path / "ai" / "anthropic-usage").exists()


def test_a_key_file_pulls_the_organisation_it_names(vendors, tmp_path):
    key = tmp_path / "anthropic.key"
    key.write_text("sk-ant-admin01-b\n")
    args = ["ai", "pull", "--vendor", "anthropic", "--organisation", "org-1"]

    result = runner.invoke(app, [*args, "--key-file", str(key), "--out", str(tmp_path), "--json"])

    assert result.exit_code == 0, result.output
    rows = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert {(r["source"], r["status"]) for r in rows} >= {
        ("anthropic-usage", "landed"),
        ("anthropic-cost", "landed"),
    }
    assert (tmp_path / "anthropic-cost" / "org=org-1" / f"{month()}.json").exists()


def test_a_report_that_failed_writes_nothing_and_exits_1(vendors, tmp_path, monkeypatch):
    monkeypatch.setenv("COSTPLANE_AI_ADMIN_KEYS", orjson.dumps(KEYS).decode())
    vendors.refuse.add("/v1/organization/costs")

    result = runner.invoke(app, ["ai", "pull", "--vendor", "openai", "--out", str(tmp_path)])

    assert result.exit_code == 1
    assert "answered 401" in result.stderr
    assert not (tmp_path / "openai-costs").exists()
    assert (tmp_path / "openai-usage" / "org=org-abc" / f"{month()}.json").exists()


def test_without_any_key_the_command_says_where_to_give_one(vendors, tmp_path):
    result = runner.invoke(app, ["ai", "pull", "--vendor", "openai", "--out", str(tmp_path)])

    assert result.exit_code == 2
    assert "COSTPLANE_AI_ADMIN_KEYS" in result.stderr


def test_a_key_file_without_an_organisation_is_refused(vendors, tmp_path):
    key = tmp_path / "openai.key"
    key.write_text("sk-admin-a")
    args = ["ai", "pull", "--vendor", "openai", "--key-file", str(key), "--out", str(tmp_path)]

    result = runner.invoke(app, args)

    assert result.exit_code == 2
    assert "--organisation" in result.stderr


def test_what_the_pull_writes_costplane_ingest_lands_under_its_organisation(
    vendors, tmp_path, monkeypatch
):
    monkeypatch.setenv("COSTPLANE_AI_ADMIN_KEYS", orjson.dumps(KEYS).decode())
    pulled = runner.invoke(app, ["ai", "pull", "--vendor", "anthropic", "--out", str(tmp_path)])
    assert pulled.exit_code == 0, pulled.output
    report = tmp_path / "anthropic-cost" / "org=org-1" / f"{month()}.json"

    ingested = runner.invoke(app, ["ingest", "--source", "anthropic-cost", str(report)])

    assert ingested.exit_code == 0, ingested.output
    query = (
        "SELECT BillingAccountId AS org, x_SourceName AS source, sum(BilledCost) AS cost"
        " FROM focus GROUP BY 1, 2"
    )
    answer = runner.invoke(app, ["lake", "sql", "--json", query])
    [row] = [orjson.loads(line) for line in answer.stdout.splitlines()]
    assert (row["org"], row["source"]) == ("org-1", "anthropic-cost")
    assert Decimal(str(row["cost"])) == Decimal("1.2378912")
