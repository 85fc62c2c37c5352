"""`costplane events coverage`: the table comes from the registries; with --lake, the share of
each provider's bill that falls on governed resource types, over real bundled bills."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from costplane.cli import app
from tests.conftest import TEST_DATA, in_place

AWS_CUR = TEST_DATA / "focus" / "aws" / "cur_legacy_anonymized_2023-11_days01-07.csv"
AZURE_EA = TEST_DATA / "focus" / "azure" / "ea_actual_cost_small.csv"
FOCUS_SAMPLE = TEST_DATA / "focus" / "focus" / "focus_1.0_sample_1000rows_aws_azure_oci.csv"
GCP_CUD = (
    TEST_DATA
    / "focus"
    / "focus"
    / "spec_examples_extra"
    / "commitment_discount_scenarios"
    / "gcp_resource_cud_no_upfront_100pct.csv"
)
GCP_SUPPORT = "gcp/bigquery_billing_export_v1_sample.ndjson"
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


@pytest.mark.parametrize(
    "resource_type",
    ["gcp.spanner.instance", "gcp.run.service", "gcp.redis.instance", "gcp.dataproc.cluster"],
)
def test_gcp_types_labelled_under_a_field_mask_are_taggable(resource_type: str) -> None:
    rows = {(r["provider"], r["resource_type"]): r for r in _json()}
    assert rows[("gcp", resource_type)]["actions"] == ["tag", "untag", "mark-for-op"]


def test_without_a_lake_there_is_no_share() -> None:
    assert [r for r in _json() if r["record"] == "governed_share"] == []


def _shares(lake: Path) -> list[dict[str, object]]:
    return [r for r in _json("--lake", lake) if r["record"] == "governed_share"]


def test_the_share_of_a_real_aws_bill_names_what_tags_cannot_reach(aws_lake: Path) -> None:
    [share] = _shares(aws_lake)

    assert (share["provider"], share["currency"]) == ("aws", "USD")
    assert share["total"] == "0.5255792441"
    assert share["governed"] == "0.5253379941"
    assert {
        "service": "AWS CloudTrail",
        "resource_type": "(no resource id)",
        "cost": "0.0002400000",
    } in (share["ungoverned"])


def test_tax_is_shown_apart_as_not_resource_spend(aws_lake: Path) -> None:
    [share] = _shares(aws_lake)

    assert share["not_resource_spend"] == "0.0800000000"
    assert share["not_resource"] == [
        {"charge": "Tax", "service": "Amazon Simple Storage Service", "cost": "0.0700000000"},
        {"charge": "Tax", "service": "AWS Key Management Service", "cost": "0.0100000000"},
    ]


def test_a_credit_is_not_resource_spend(tmp_path: Path) -> None:
    lake = _ingested(tmp_path / "focus", "focus", FOCUS_SAMPLE)

    aws = next(s for s in _shares(lake) if s["provider"] == "aws")

    assert aws["governed_share"] == 1.0
    assert aws["not_resource"] == [
        {"charge": "Credit", "service": "Amazon Elastic Compute Cloud", "cost": "-3.0000000000"}
    ]


@pytest.mark.read_in_place(GCP_SUPPORT)
def test_a_support_only_bill_has_no_resource_spend_to_govern(tmp_path: Path) -> None:
    lake = _ingested(tmp_path / "gcp", "gcp-billing", in_place(GCP_SUPPORT))

    [share] = _shares(lake)

    assert (share["provider"], share["governed_share"], share["total"]) == ("gcp", None, "0")
    assert share["not_resource"] == [
        {"charge": "Support", "service": "Support", "cost": "484.3674010000"}
    ]


def test_gcp_compute_under_a_commitment_is_governed(tmp_path: Path) -> None:
    lake = _ingested(tmp_path / "cud", "focus", GCP_CUD)

    [share] = _shares(lake)

    assert (share["provider"], share["governed_share"]) == ("gcp", 1.0)


def test_every_azure_resource_in_a_real_bill_is_governed(tmp_path: Path) -> None:
    lake = _ingested(tmp_path / "azure", "azure-ea", AZURE_EA)

    [share] = _shares(lake)

    assert (share["provider"], share["governed_share"]) == ("azure", 1.0)


def test_the_table_prints_types_and_the_share(aws_lake: Path) -> None:
    result = runner.invoke(app, ["events", "coverage", "--lake", str(aws_lake)])

    assert result.exit_code == 0, result.output
    assert "aws.kinesis.stream" in result.stdout
    assert "99.95%" in result.stdout
    assert "Tax (Amazon Simple Storage Service) 0.07 USD" in result.stdout


def test_the_table_reads_amounts_as_money_in_the_bill_currency(aws_lake: Path) -> None:
    result = runner.invoke(app, ["events", "coverage", "--lake", str(aws_lake)])

    assert "0.5255792441" not in result.stdout
    assert "0.53" in result.stdout
    assert "USD" in result.stdout
