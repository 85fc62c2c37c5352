"""`costplane marks due` and `costplane marks sweep` on the local plane, whose marks live in its
state file."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest
from typer.testing import CliRunner

from costplane.adapters.local.resources import LocalResources
from costplane.adapters.local.sqlite import SqliteRecords
from costplane.cli import app
from costplane.domain.decisions import ActionKind
from costplane.domain.events import Provider
from costplane.domain.marks import Mark
from costplane.engine.ports import ResourceRef

DUE = datetime(2026, 11, 28, 6, 15, tzinfo=UTC)
MARK = Mark(ActionKind.STOP, DUE).encode()


@pytest.fixture
def lake(tmp_path, monkeypatch):
    """A local plane with one untagged instance and one tagged bucket, both marked."""
    monkeypatch.setenv("COSTPLANE_LAKE", str(tmp_path))
    monkeypatch.setenv("COSTPLANE_MODE", "enforce")
    monkeypatch.delenv("COSTPLANE_PLANE", raising=False)
    records = SqliteRecords(tmp_path / "state.db")
    resources = LocalResources(records)
    for resource_id, resource_type, tags in (
        ("i-untagged", "aws.ec2.instance", {}),
        ("logs", "aws.s3.bucket", {"Environment": "prod", "DataClassification": "internal"}),
    ):
        ref = ResourceRef(
            provider=Provider.AWS,
            account="123456789012",
            region="us-east-1",
            resource_id=resource_id,
            resource_type=resource_type,
        )
        resources.save(ref, {**tags, "costplane-op": MARK})
    records.close()
    return tmp_path


def run(*args: str) -> list[dict]:
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return [orjson.loads(line) for line in result.stdout.splitlines()]


def test_marks_due_lists_each_mark_with_its_operation_due_time_and_verdict(lake):
    rows = {r["resource_id"]: r for r in run("marks", "due", "--at", "2026-11-28T06:00Z")}
    assert rows["i-untagged"]["operation"] == "stop"
    assert rows["i-untagged"]["due"] == "2026-11-28T06:15:00+00:00"
    assert rows["i-untagged"]["verdict"] == "will stop at 2026-11-28 06:15Z unless tagged"
    assert rows["logs"]["verdict"] == "will be cleared: now compliant"


def test_marks_due_changes_nothing(lake):
    run("marks", "due", "--at", "2026-11-29T00:00Z")
    again = {r["resource_id"]: r["verdict"] for r in run("marks", "due", "--at", "2026-11-29")}
    assert again["i-untagged"] == "will stop now (due 2026-11-28 06:15Z)"


def test_marks_sweep_at_a_later_time_stops_the_due_instance_and_clears_the_compliant(lake):
    [report] = run("marks", "sweep", "--at", "2026-11-28T06:20Z")
    assert report["outcomes"] == {"act": 1, "clear": 1}
    assert run("marks", "due") == []


def test_marks_sweep_before_the_due_time_acts_on_nothing(lake):
    [report] = run("marks", "sweep", "--at", "2026-11-28T06:14Z")
    assert report["outcomes"] == {"left": 1, "clear": 1}


def test_a_sweep_in_dry_run_records_what_would_happen_and_keeps_the_mark(lake, monkeypatch):
    monkeypatch.setenv("COSTPLANE_MODE", "dry-run")
    [report] = run("marks", "sweep", "--at", "2026-11-28T06:20Z")
    assert report["outcomes"] == {"would_act": 1, "would_clear": 1}
    assert len(run("marks", "due")) == 2


def test_at_is_refused_on_a_cloud_plane(lake, monkeypatch):
    monkeypatch.setenv("COSTPLANE_PLANE", "aws")
    result = CliRunner().invoke(app, ["marks", "sweep", "--at", "2026-11-28T06:20Z"])
    assert result.exit_code == 2
    assert "local plane only" in result.output
