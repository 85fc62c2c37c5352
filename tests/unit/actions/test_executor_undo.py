"""The executor runs the reversible actions, keeps what undoes them, and refuses what it must."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from costplane.adapters.local.plane import LocalEnforcer, LocalInventory
from costplane.domain.decisions import Action, ActionKind, ActionStatus, Decision, Outcome
from costplane.domain.events import Provider
from costplane.engine.executor import execute, resume
from costplane.engine.ports import ResourceRef
from tests.support.stores import sqlite_state
from tests.support.tagging import NOW

REF = ResourceRef(
    provider=Provider.AWS,
    account="123456789012",
    region="us-east-1",
    resource_id="i-0123456789abcdef0",
    resource_type="aws.ec2.instance",
)
REVERSIBLE = [ActionKind.THROTTLE, ActionKind.SUSPEND, ActionKind.DECOMMISSION]


class RecordingNotifier:
    def __init__(self) -> None:
        self.sent: list[Decision] = []

    def notify(self, decision: Decision) -> None:
        self.sent.append(decision)


class FailingThrottleEnforcer(LocalEnforcer):
    def throttle(self, ref: ResourceRef) -> dict[str, str]:
        raise RuntimeError("AccessDeniedException")


def decision(
    *kinds: ActionKind, dry_run: bool = False, outcome: Outcome = Outcome.VIOLATION
) -> Decision:
    return Decision(
        decision_id="d-1",
        policy="budget-guardrail",
        outcome=outcome,
        actions=[Action(kind=kind) for kind in kinds],
        dry_run=dry_run,
        decided_at=NOW,
    )


@pytest.fixture
def enforcer() -> LocalEnforcer:
    return LocalEnforcer(LocalInventory({REF.resource_id: {}}))


@pytest.mark.parametrize("kind", REVERSIBLE)
def test_the_state_an_action_returns_is_kept_as_its_undo(kind, enforcer):
    planned = decision(kind)

    assert execute(planned, REF, enforcer, RecordingNotifier())

    [action] = planned.actions
    assert (action.status, action.params["undo"]) == (ActionStatus.DONE, {"in_service": "true"})
    assert enforcer.calls == [(kind.value, REF.resource_id)]


def test_the_undo_state_survives_the_audit_log(enforcer):
    planned = decision(ActionKind.SUSPEND)
    execute(planned, REF, enforcer, RecordingNotifier())
    log = sqlite_state(":memory:")

    log.append_decision(planned)

    [recorded] = log.recent_decisions(1)
    assert recorded.actions[0].params["undo"] == {"in_service": "true"}


@pytest.mark.parametrize("kind", REVERSIBLE)
def test_resume_hands_the_kept_undo_back_to_the_enforcer(kind, enforcer):
    planned = decision(kind)
    execute(planned, REF, enforcer, RecordingNotifier())

    resume(planned.actions[0], REF, enforcer)

    assert REF.resource_id not in enforcer.stopped
    assert enforcer.calls[-1] == (f"resume-{kind.value}", REF.resource_id)


def test_only_reversible_actions_can_be_resumed(enforcer):
    with pytest.raises(ValueError, match="stop cannot be resumed"):
        resume(Action(kind=ActionKind.STOP), REF, enforcer)


def test_a_dry_run_calls_nothing_and_keeps_no_undo(enforcer):
    planned = decision(*REVERSIBLE, ActionKind.ESCALATE, dry_run=True)
    notifier = RecordingNotifier()

    assert execute(planned, REF, enforcer, notifier)

    assert [a.status for a in planned.actions] == [ActionStatus.DRY_RUN] * 4
    assert all("undo" not in a.params for a in planned.actions)
    assert (enforcer.calls, notifier.sent) == ([], [])


@pytest.mark.parametrize("outcome", [Outcome.COMPLIANT, Outcome.SKIPPED, Outcome.ERROR])
def test_destructive_actions_are_refused_without_a_violation(outcome, enforcer):
    planned = decision(ActionKind.SUSPEND, ActionKind.STOP, ActionKind.NOTIFY, outcome=outcome)
    notifier = RecordingNotifier()

    assert not execute(planned, REF, enforcer, notifier)

    suspend, stop, notify = planned.actions
    assert (suspend.status, stop.status, notify.status) == (
        ActionStatus.FAILED,
        ActionStatus.FAILED,
        ActionStatus.DONE,
    )
    assert suspend.error == f"RefusedAction: suspend on a {outcome.value} decision"
    assert enforcer.calls == []


@pytest.mark.parametrize("kind", [ActionKind.REQUEST_APPROVAL, ActionKind.ESCALATE])
def test_approval_requests_and_escalations_go_to_the_notifier(kind, enforcer):
    planned = decision(kind)
    notifier = RecordingNotifier()

    assert execute(planned, REF, enforcer, notifier)

    assert notifier.sent == [planned]
    assert enforcer.calls == []


def test_a_failed_throttle_keeps_no_undo_and_the_next_action_still_runs():
    enforcer = FailingThrottleEnforcer(LocalInventory())
    planned = decision(ActionKind.THROTTLE, ActionKind.SUSPEND)

    assert not execute(planned, REF, enforcer, RecordingNotifier())

    throttle, suspend = planned.actions
    assert (throttle.status, throttle.error) == (
        ActionStatus.FAILED,
        "RuntimeError: AccessDeniedException",
    )
    assert "undo" not in throttle.params
    assert suspend.params["undo"] == {"in_service": "true"}


# LocalEnforcer -------------------------------------------------------------------------------


def test_a_second_local_suspend_returns_the_first_state(enforcer):
    first = enforcer.suspend(REF)

    assert enforcer.suspend(REF) == first == {"in_service": "true"}


@pytest.mark.parametrize("state", [{"in_service": "true"}, {}], ids=["from-log", "from-record"])
def test_local_resume_puts_a_held_resource_back_in_service(enforcer, state: Mapping[str, str]):
    enforcer.throttle(REF)

    enforcer.resume(REF, ActionKind.THROTTLE, state)

    assert REF.resource_id not in enforcer.stopped


def test_a_resource_out_of_service_before_the_action_stays_out_on_resume(enforcer):
    enforcer.stop(REF)
    undo = enforcer.decommission(REF)

    enforcer.resume(REF, ActionKind.DECOMMISSION, undo)

    assert (undo, REF.resource_id in enforcer.stopped) == ({"in_service": "false"}, True)
