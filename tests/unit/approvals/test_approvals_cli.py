"""`costplane approvals pending [--json]`: the requests waiting for an answer, from the state
file the local plane shares with the callbacks."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from costplane.adapters.approval_records import RecordApprovalStore
from costplane.approvals.model import ApprovalStatus
from costplane.cli.approvals import app
from tests.support.stores import sqlite_approvals
from tests.support.tagging import NOW
from tests.unit.approvals.approvals_support import SLACK_APPROVER, TEAMS_APPROVER, pending_request


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RecordApprovalStore:
    path = tmp_path / "state.db"
    monkeypatch.setenv("COSTPLANE_STATE", str(path))
    return sqlite_approvals(path)


def test_pending_json_prints_one_object_per_pending_request(store):
    store.add(pending_request("later", expires=NOW + timedelta(hours=8)))
    store.add(pending_request("sooner"))
    store.add(pending_request("decided"))
    store.settle(
        pending_request("decided", status=ApprovalStatus.DENIED, decided_by="U1", decided_at=NOW)
    )

    result = CliRunner().invoke(app, ["pending", "--json"])

    assert result.exit_code == 0, result.output
    rows = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["sooner", "later"]
    assert rows[0] == {
        "id": "sooner",
        "policy": "gpu-budget",
        "provider": "aws",
        "account": "123456789012",
        "resource_id": "i-0123456789abcdef0",
        "resource_type": "aws.ec2.instance",
        "then": "stop",
        "channel": "slack",
        "approvers": [SLACK_APPROVER, TEAMS_APPROVER],
        "created": "2026-11-27T12:00:00+00:00",
        "expires": "2026-11-27T16:00:00+00:00",
        "on_expiry": "deny",
    }


def test_pending_prints_a_table_for_people(store):
    store.add(pending_request("req-1"))

    result = CliRunner().invoke(app, ["pending"])

    assert result.exit_code == 0, result.output
    assert "Pending approvals" in result.stdout
    assert "req-1" in result.stdout


def test_pending_with_nothing_waiting_prints_nothing_as_json(store):
    result = CliRunner().invoke(app, ["pending", "--json"])
    assert (result.exit_code, result.stdout) == (0, "")
