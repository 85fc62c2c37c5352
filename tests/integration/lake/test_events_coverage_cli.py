"""`costplane events coverage`: the table comes from the registries; with --lake, the share of
each provider's bill that falls on governed resource types, over real bundled bills."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from costplane.cli import app
from tests.conftest import TEST_DATA

AWS_CUR = TEST_DATA / "focus" / "aws" / "cur_legacy_anonymized_2023-11_days01-07.csv"
AZURE_EA = TEST_DATA / "focus" / "azure" / "ea_actual_cost_small.csv"
runner = CliRunner()


def _json(*args: str | Path) -> list[dict[str, object]]:
    result = runner.invoke(app, ["events", "coverage", "--json", *map(str, args)])
    assert result.exit_code == 0, result.output
    return [orjson.loads(line) for line in result.stdout.splitlines()]


def _ingested(lake: Path, source: str, bill: Path) -> Path:
    result = runner.invoke(app, ["ingest", "--source", source, "--lake", str(lake), str(bill)])
    assert result.exit_code == 0, result.output
    return lake


@pytest.fixture(scope="module")
def aws_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _ingested(tmp_path_factory.mktemp("lake") / "aws", "aws-cur", AWS_CUR)


def test_every_row_names_its_events_feeds_and_actions() -> None:
    rows = {(r["provider"], r["resource_type"]): r for r in _json()}

    dynamo = rows[("aws", "aws.dynamodb.table")]
    assert "CreateTable" in dynamo["create"]
    assert dynamo["feeds"] == ["CloudTrail", "AWS Config", "aws.tag"]
    assert dynamo["actions"] == ["tag", "untag", "mark-for-op"]
    assert "stop" in rows[("aws", "aws.ec2.instance")]["actions"]
    assert "Cloud Asset Inventory" in rows[("gcp", "gcp.spanner.instance")]["feeds"]
    assert rows[("azure", "azure.*")]["feeds"] == ["Event Grid"]


def test_without_a_lake_there_is_no_share() -> None:
    assert [r for r in _json() if r["record"] == "governed_share"] == []


def test_the_share_of_a_real_aws_bill_names_what_tags_cannot_reach(aws_lake: Path) -> None:
    [share] = [r for r in _json("--lake", aws_lake) if r["record"] == "governed_share"]

    assert share["provider"] == "aws"
    assert share["total"] == "0.6055792441"
    assert share["governed"] == "0.6053379941"
    assert {
        "service": "AWS CloudTrail",
        "resource_type": "(no resource id)",
        "cost": "0.0002400000",
    } in (share["ungoverned"])


def test_every_azure_resource_in_a_real_bill_is_governed(tmp_path: Path) -> None:
    lake = _ingested(tmp_path / "azure", "azure-ea", AZURE_EA)

    [share] = [r for r in _json("--lake", lake) if r["record"] == "governed_share"]

    assert (share["provider"], share["governed_share"]) == ("azure", 1.0)


def test_the_table_prints_types_and_the_share(aws_lake: Path) -> None:
    result = runner.invoke(app, ["events", "coverage", "--lake", str(aws_lake)])

    assert result.exit_code == 0, result.output
    assert "aws.kinesis.stream" in result.stdout
    assert "99.96%" in result.stdout
