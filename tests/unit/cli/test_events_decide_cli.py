"""`costplane events decide`: one decision per resource, readable or as JSON lines."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from costplane import bootstrap
from costplane.cli import app
from tests.conftest import EVENTS

RUN_INSTANCES = (
    EVENTS / "aws" / "aws-cloudtrail-ec2-runinstances-with-tagspecificationset-record.json"
)
REQUIRED = {
    "provider",
    "event_id",
    "resource_id",
    "resource_type",
    "owner",
    "outcome",
    "missing_tags",
    "invalid_tags",
    "actions",
    "reason",
}
runner = CliRunner()


def _lines(*args: str) -> list[dict[str, object]]:
    result = runner.invoke(app, ["events", "decide", "--json", *args])
    assert result.exit_code == 0, result.output
    return [orjson.loads(line) for line in result.stdout.splitlines()]


def test_json_lines_carry_the_documented_fields() -> None:
    [row] = _lines(str(RUN_INSTANCES))
    assert row.keys() >= REQUIRED
    assert row["provider"] == "aws"
    assert row["resource_type"] == "aws.ec2.instance"
    assert row["outcome"] in {"compliant", "violation"}


def test_every_bundled_payload_yields_a_line_and_exit_zero() -> None:
    files = sorted(str(p) for p in EVENTS.glob("*/*.json"))
    rows = _lines(*files)
    assert {row["file"] for row in rows} == set(files)
    assert {row["outcome"] for row in rows} <= {"compliant", "violation", "skipped", "error"}


def test_file_that_is_not_an_event_is_an_error_line(tmp_path: Path) -> None:
    bad = tmp_path / "bill.csv"
    bad.write_text("lineItem/UsageAccountId,lineItem/UnblendedCost\n1,2\n")
    [row] = _lines(str(bad))
    assert row["outcome"] == "error"
    assert "not valid JSON" in str(row["reason"])


def test_missing_file_is_an_error_line_not_a_crash(tmp_path: Path) -> None:
    [row] = _lines(str(tmp_path / "absent.json"))
    assert row["outcome"] == "error"
    assert "absent.json" in str(row["reason"])


def test_invalid_taxonomy_fails_the_command_naming_the_field(tmp_path: Path) -> None:
    taxonomy = tmp_path / "taxonomy.yaml"
    taxonomy.write_text("keys:\n  - key: Team\n    allowed: nope-not-a-list\n")
    result = runner.invoke(app, ["events", "decide", "-t", str(taxonomy), str(RUN_INSTANCES)])
    assert result.exit_code == 2
    assert "keys.0.allowed" in result.stderr


def test_policies_option_runs_the_policy_engine(tmp_path: Path) -> None:
    policies = tmp_path / "p.yaml"
    policies.write_text(
        "version: 1\npolicies:\n  - name: untagged\n    conditions:\n"
        "      - {type: tag-missing, keys: [NoSuchKey]}\n    actions:\n      - {type: notify}\n"
    )
    [row] = _lines("--policies", str(policies), str(RUN_INSTANCES))
    assert (row["outcome"], row["reason"]) == ("violation", "missing tags NoSuchKey")


def test_table_output_names_the_resource() -> None:
    result = runner.invoke(app, ["events", "decide", str(RUN_INSTANCES)])
    assert result.exit_code == 0
    assert "aws.ec2.instance" in result.stdout


def test_a_dry_run_deployment_runs_the_bundled_policies_dry_whatever_their_own_mode() -> None:
    policies = Path(bootstrap.EXAMPLE_POLICIES)
    assert "mode: enforce" in policies.read_text()
    payloads = sorted(
        str(p) for cloud in ("aws", "azure", "gcp") for p in (EVENTS / cloud).glob("*.json")
    )
    rows = _lines(
        "--mode",
        "dry-run",
        "--policies",
        str(policies),
        "--inventory",
        str(EVENTS / "inventory.json"),
        *payloads,
    )
    acted = [a for row in rows for a in row["actions"] if a["status"] != "dry-run"]
    assert any(row["actions"] for row in rows)
    assert (acted, {row["dry_run"] for row in rows}) == ([], {True})
