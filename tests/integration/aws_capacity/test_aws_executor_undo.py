"""Through the executor: a real throttle's undo lands in the decision, and resume uses it."""

from __future__ import annotations

from costplane.domain.decisions import Action, ActionKind, ActionStatus, Decision, Outcome
from costplane.engine.executor import execute, resume
from tests.support.tagging import NOW


class Silent:
    def notify(self, decision: Decision) -> None:
        pass


def throttle_decision(dry_run: bool) -> Decision:
    return Decision(
        decision_id="d-1",
        policy="budget-120",
        outcome=Outcome.VIOLATION,
        actions=[Action(kind=ActionKind.THROTTLE)],
        dry_run=dry_run,
        decided_at=NOW,
    )


def reserved(world) -> int | None:
    found = world.client("lambda").get_function_concurrency(FunctionName="ingest")
    return found.get("ReservedConcurrentExecutions")


def test_the_decision_keeps_the_concurrency_to_restore_and_resume_restores_it(world, enforcer):
    ref = world.ref("aws.lambda.function", world.make_function("ingest", {}))
    world.client("lambda").put_function_concurrency(
        FunctionName="ingest", ReservedConcurrentExecutions=7
    )
    decision = throttle_decision(dry_run=False)

    assert execute(decision, ref, enforcer, Silent())
    [action] = decision.actions
    throttled = reserved(world)
    resume(action, ref, enforcer)

    assert (action.status, action.params["undo"], throttled) == (
        ActionStatus.DONE,
        {"concurrency": "7"},
        0,
    )
    assert reserved(world) == 7


def test_a_dry_run_leaves_the_function_alone(world, enforcer):
    ref = world.ref("aws.lambda.function", world.make_function("ingest", {"Team": "data"}))
    decision = throttle_decision(dry_run=True)

    execute(decision, ref, enforcer, Silent())

    assert decision.actions[0].status is ActionStatus.DRY_RUN
    assert reserved(world) is None
    tags = world.client("lambda").get_function(FunctionName="ingest")["Tags"]
    assert tags == {"Team": "data"}
