"""The mark sweep function as Lambda runs it: an EventBridge Scheduler invocation, the
environment and tables of the SAM template, a marked instance in the moto server."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from costplane.domain.decisions import ActionKind
from costplane.domain.marks import Mark
from tests.functions.aws.conftest import REPO, LambdaContext
from tests.functions.aws.sam_template import resource
from tests.support.modules import fresh_module

APP = REPO / "functions" / "aws" / "mark_sweep" / "app.py"
SCHEDULED = {"version": "0", "detail-type": "Scheduled Event", "source": "aws.scheduler"}


@pytest.fixture
def sweep_app(stack, monkeypatch):
    """The sweep's environment as the template writes it, over the stack's tables."""
    variables = resource("MarkSweepFunction")["Properties"]["Environment"]["Variables"]
    for name, value in variables.items():
        if isinstance(value, str):
            monkeypatch.setenv(name, value)
        elif value.get("Ref") in stack.names:
            monkeypatch.setenv(name, stack.names[value["Ref"]])
    monkeypatch.setenv("COSTPLANE_MODE", "enforce")
    monkeypatch.setenv("COSTPLANE_SWEEP_REGIONS", '["us-east-1"]')
    return fresh_module(APP)


def marked_instance(stack, at: datetime) -> str:
    instance_id = stack.run_instance()
    mark = Mark(ActionKind.STOP, at).encode()
    stack.ec2.create_tags(Resources=[instance_id], Tags=[{"Key": "costplane-op", "Value": mark}])
    return instance_id


def test_a_scheduled_invocation_stops_an_instance_whose_mark_came_due(sweep_app, stack):
    due = marked_instance(stack, datetime.now(UTC) - timedelta(minutes=1))
    later = marked_instance(stack, datetime.now(UTC) + timedelta(hours=1))
    answer = sweep_app.lambda_handler(SCHEDULED, LambdaContext())
    assert answer["outcomes"] == {"act": 1, "left": 1}
    assert answer["complete"] is True
    state, tags = stack.instance(due)
    assert state == "stopped"
    assert "costplane-op" not in tags
    assert stack.instance(later)[0] == "running"


def test_every_sweep_decision_is_appended_to_the_decisions_table(sweep_app, stack):
    marked_instance(stack, datetime.now(UTC) - timedelta(minutes=1))
    sweep_app.lambda_handler(SCHEDULED, LambdaContext())
    [decision] = stack.decisions()
    assert decision["event_name"] == "MarkSweep"
    assert decision["operation"] == "sweep"
