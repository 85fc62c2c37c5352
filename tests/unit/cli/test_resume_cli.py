"""`costplane resume DECISION_ID|RESOURCE`: undo an executed suspend on the local plane, by the
decision's id or by its resource, audited with who asked; clear errors when there is nothing."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from costplane.adapters.state_records import RecordStateStore
from costplane.cli import app
from costplane.domain.decisions import Action, ActionKind, ActionStatus
from tests.support.stores import sqlite_state
from tests.unit.approvals.approvals_support import REF, violation


@pytest.fixture
def audit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RecordStateStore:
    path = tmp_path / "state.db"
    monkeypatch.setenv("COSTPLANE_STATE", str(path))
    return sqlite_state(path)


def suspended(audit: RecordStateStore, decision_id: str = "d-1") -> None:
    """A decision that suspended REF, as the executor records it."""
    decision = violation(decision_id=decision_id)
    decision.actions = [
        Action(kind=ActionKind.NOTIFY, status=ActionStatus.DONE),
        Action(kind=ActionKind.SUSPEND, status=ActionStatus.DONE, params={"undo": {"a": "b"}}),
    ]
    audit.append_decision(decision)


def resume(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["resume", *args])
    return result.exit_code, result.output


def test_resume_by_decision_id_undoes_its_suspend_and_audits_who_asked(audit):
    suspended(audit)

    code, output = resume("d-1", "--by", "alice", "--json")

    assert code == 0, output
    row = orjson.loads(output)
    assert row["decision_id"] == "d-1-resume"
    assert row["asked_by"] == "alice"
    assert row["undone"] == [{"kind": "suspend", "status": "done", "error": None}]
    [record] = [d for d in audit.recent_decisions(10) if d.decision_id == "d-1-resume"]
    assert (record.actor, record.source, record.resource_id) == ("alice", "resume", REF.resource_id)
    assert record.actions[0].params == {"of": "suspend", "undo": {"a": "b"}}


def test_resume_by_resource_takes_its_newest_undoable_decision(audit):
    suspended(audit, "d-old")
    suspended(audit, "d-new")

    code, output = resume(REF.resource_id, "--by", "alice", "--json")

    assert code == 0, output
    assert orjson.loads(output)["decision_id"] == "d-new-resume"


def test_resume_prints_a_table_for_people(audit):
    suspended(audit)

    code, output = resume("d-1", "--by", "alice")

    assert code == 0, output
    assert "Resumed i-0123456789abcdef0" in output
    for shown in ("d-1-resume", "suspend", "alice"):
        assert shown in output


def test_a_decision_resumed_once_is_refused_the_second_time(audit):
    suspended(audit)
    resume("d-1", "--by", "alice")

    code, output = resume("d-1", "--by", "bob")

    assert code == 2
    assert "nothing to resume: decision d-1 was resumed already by alice" in output


def test_an_unknown_target_is_a_clear_error(audit):
    code, output = resume("i-nothing", "--plane", "local")

    assert code == 2
    assert "nothing to resume: no decision or resource 'i-nothing'" in output


def test_a_decision_without_a_reversible_action_is_a_clear_error(audit):
    decision = violation(decision_id="d-notify")
    decision.actions = [Action(kind=ActionKind.NOTIFY, status=ActionStatus.DONE)]
    audit.append_decision(decision)

    code, output = resume("d-notify")

    assert code == 2
    assert "executed no throttle, suspend or decommission" in output


def test_a_resource_whose_decisions_were_all_resumed_is_a_clear_error(audit):
    suspended(audit)
    resume("d-1", "--by", "alice")

    code, output = resume(REF.resource_id)

    assert code == 2
    assert f"nothing on {REF.resource_id} is left to resume" in output
