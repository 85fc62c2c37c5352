"""A month of events against a budget, decided by the policy runner on the AWS plane against the
moto server: the actions land in moto in the order the spend crosses the thresholds, each once,
and the audit log (the DynamoDB decisions table) holds them in that order with their undo state.

The budget `ml-team` allows $2,000 a month in moto's account. Its 80% threshold notifies (the
budgets file); functions are throttled at 100% and instances suspended at 120% (policies with
the `budget-threshold` condition, scoped to the types those actions apply to). Projected spend
is what AWS Budgets reported plus the run-rate of the instances launched (fallback price sheet)
from their launch to the end of the month:

    Mar  1  RunInstances web     t3.micro   $0.0104/h
    Mar  3  RunInstances train   g5.xlarge  $1.006/h              projected   $696  (35%)
    Mar 10  AWS Budgets: actual $1,000                            projected $1,696  (85%)
    Mar 10  CreateFunction ranker         -> notify
    Mar 17  AWS Budgets: actual $1,400                            projected $2,096 (105%)
    Mar 17  CreateFunction scorer         -> notify, throttle (reserved concurrency 0)
    Mar 24  AWS Budgets: actual $1,800                            projected $2,531 (127%)
    Mar 24  RunInstances batch   m5.xlarge  -> notify, suspend (stopped)

Every resource event is delivered twice, the second time an hour later, as a retrying queue
might: the second delivery acts on nothing.

The runner acts on the resources events are about: `train`, the largest spender, runs on
because no event about it arrives after the budget is crossed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest
import yaml

from costplane.adapters.aws import clients
from costplane.adapters.local.plane import PinnedClock
from costplane.bootstrap import policy_runner
from costplane.domain.decisions import Decision
from costplane.engine.pipeline import retry_reasons
from costplane.planes import aws as aws_plane
from costplane.policy.service import PolicyRunner
from tests.functions.aws.conftest import Stack, eventbridge
from tests.integration.aws_adapters.conftest import World
from tests.integration.scenario.aws_payloads import (
    ACCOUNT,
    BUDGETS_NOTIFICATION,
    budgets_notification,
    create_function,
    run_instances,
)

pytestmark = pytest.mark.read_in_place(BUDGETS_NOTIFICATION)  # every test spends through it

BUDGET = {
    "name": "ml-team",
    "scope": {"provider": "aws", "account": ACCOUNT},
    "amount": 2000,
    "period": "monthly",
    "signals": ["ml-team-monthly"],
    "thresholds": [{"percent": 80, "action": "notify"}],
}
GUARDS = [
    {
        "name": "throttle-functions-over-budget",
        "scope": {"account": ACCOUNT, "resource_type": "aws.lambda.function"},
        "conditions": [{"type": "budget-threshold", "budget": "ml-team", "percent": 100}],
        "actions": [{"type": "throttle"}],
        "mode": "enforce",
    },
    {
        "name": "suspend-instances-over-budget",
        "scope": {"account": ACCOUNT, "resource_type": "aws.ec2.instance"},
        "conditions": [{"type": "budget-threshold", "budget": "ml-team", "percent": 120}],
        "actions": [{"type": "suspend"}],
        "mode": "enforce",
    },
]
NOTIFY = "budget-ml-team-projected-80"


def day(number: int, hour: int = 9) -> datetime:
    return datetime(2026, 3, number, hour, tzinfo=UTC)


def actual(amount: str, at: datetime) -> dict[str, Any]:
    """AWS Budgets reporting `amount` spent of the $2,000 budget."""
    return budgets_notification("ml-team-monthly", "$2,000.00", amount, at)


@dataclass
class Plane:
    """The runner as the function builds it, its clock, and moto read with clients of our own."""

    runner: PolicyRunner
    clock: PinnedClock
    stack: Stack
    world: World
    inbox: str

    def deliver(self, at: datetime, document: dict[str, Any]) -> list[Decision]:
        self.clock.moment = at
        return self.runner.handle_document(document)

    def twice(self, at: datetime, event: dict[str, Any]) -> list[Decision]:
        """Deliver `event`, then again an hour later; what the first delivery decided."""
        decided = self.deliver(at, event)
        assert acted(self.deliver(at + timedelta(hours=1), event)) == []
        return decided

    def launch(self, instance_type: str) -> str:
        [instance] = self.world.run_instances(InstanceType=instance_type)
        return instance

    def notifications(self) -> list[dict[str, Any]]:
        """The decisions the SNS topic delivered to the subscribed queue since the last call."""
        sqs, found = self.stack.sqs, []
        while messages := sqs.receive_message(QueueUrl=self.inbox, MaxNumberOfMessages=10).get(
            "Messages"
        ):
            for message in messages:
                found.append(orjson.loads(message["Body"]))
                sqs.delete_message(QueueUrl=self.inbox, ReceiptHandle=message["ReceiptHandle"])
        return found

    def concurrency(self, function: str) -> int | None:
        found = self.world.client("lambda").get_function_concurrency(FunctionName=function)
        reserved: int | None = found.get("ReservedConcurrentExecutions")
        return reserved

    def audit(self) -> list[dict[str, Any]]:
        """Every decision in the decisions table, in the order they were decided."""
        bodies = [orjson.loads(item["body"]["S"]) for item in self.stack.items("DecisionsTable")]
        return sorted(bodies, key=lambda d: (d["decided_at"], d["policy"]))


Build = Callable[[list[dict[str, Any]], list[dict[str, Any]] | None], Plane]


@pytest.fixture
def build_plane(aws_env: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Build:
    """The AWS plane with the template's tables and topic in moto, budgets and policies given,
    and a clock the test moves through the month."""

    def build(budgets: list[dict[str, Any]], policies: list[dict[str, Any]] | None) -> Plane:
        clients.reset()  # adapter clients cached by earlier tests may point elsewhere
        stack = Stack(aws_env)
        topic = stack.create("NotificationTopic")
        inbox = stack.sqs.create_queue(QueueName="finops-inbox")["QueueUrl"]
        queue_arn = stack.sqs.get_queue_attributes(QueueUrl=inbox, AttributeNames=["QueueArn"])
        stack.sns.subscribe(
            TopicArn=topic,
            Protocol="sqs",
            Endpoint=queue_arn["Attributes"]["QueueArn"],
            Attributes={"RawMessageDelivery": "true"},
        )
        budgets_file = tmp_path / "budgets.yaml"
        budgets_file.write_text(yaml.safe_dump({"version": 1, "budgets": budgets}))
        if policies is not None:
            policies_file = tmp_path / "policies.yaml"
            policies_file.write_text(yaml.safe_dump({"version": 1, "policies": policies}))
            monkeypatch.setenv("COSTPLANE_POLICIES", str(policies_file))
        for name, value in {
            "COSTPLANE_CLAIMS_TABLE": stack.create("ClaimsTable"),
            "COSTPLANE_DECISIONS_TABLE": stack.create("DecisionsTable"),
            "COSTPLANE_APPROVALS_TABLE": stack.create("ApprovalsTable"),
            "COSTPLANE_TOPIC_ARN": topic,
            "COSTPLANE_BUDGETS": str(budgets_file),
            "COSTPLANE_LAKE": str(tmp_path / "lake"),
            "COSTPLANE_MODE": "enforce",
        }.items():
            monkeypatch.setenv(name, value)
        clock = PinnedClock(day(1, 0))
        monkeypatch.setattr(aws_plane, "SystemClock", lambda: clock)
        runner = policy_runner(plane="aws")
        return Plane(runner, clock, stack, World(aws_env, {}), inbox)

    return build


@pytest.fixture
def plane(build_plane: Build) -> Plane:
    return build_plane([BUDGET], GUARDS)


def acted(decisions: list[Decision]) -> list[tuple[str, str, str]]:
    """(policy, action, status) of every action taken, in the order they were taken."""
    return [(d.policy, a.kind.value, a.status.value) for d in decisions for a in d.actions]


def test_a_month_of_events_lands_its_actions_in_moto_in_threshold_order(plane: Plane):
    web, train = plane.launch("t3.micro"), plane.launch("g5.xlarge")
    plane.world.make_function("ranker", {})
    plane.world.make_function("scorer", {})
    assert acted(plane.twice(day(1), eventbridge(run_instances(web, "t3.micro", day(1))))) == []
    launched = eventbridge(run_instances(train, "g5.xlarge", day(3, 12)))
    assert acted(plane.twice(day(3, 12), launched)) == []

    plane.deliver(day(10, 8), actual("$1,000.00", day(10, 8)))
    ranker = eventbridge(create_function("ranker", day(10)))
    assert acted(plane.twice(day(10), ranker)) == [(NOTIFY, "notify", "done")]
    [notified] = plane.notifications()
    assert notified["resource_id"].endswith(":function:ranker")
    assert "projected at 84.8%" in notified["reason"]
    assert plane.concurrency("ranker") is None
    assert plane.world.instance_state(train) == "running"

    plane.deliver(day(17, 8), actual("$1,400.00", day(17, 8)))
    scorer = eventbridge(create_function("scorer", day(17)))
    assert acted(plane.twice(day(17), scorer)) == [
        ("throttle-functions-over-budget", "throttle", "done"),
        (NOTIFY, "notify", "done"),
    ]
    assert plane.concurrency("scorer") == 0
    assert plane.concurrency("ranker") is None
    assert [n["resource_id"].rpartition(":")[2] for n in plane.notifications()] == ["scorer"]
    assert plane.world.instance_state(train) == "running"

    plane.deliver(day(24, 8), actual("$1,800.00", day(24, 8)))
    batch = plane.launch("m5.xlarge")
    launched = eventbridge(run_instances(batch, "m5.xlarge", day(24)))
    assert acted(plane.twice(day(24), launched)) == [
        ("suspend-instances-over-budget", "suspend", "done"),
        (NOTIFY, "notify", "done"),
    ]
    assert plane.world.instance_state(batch) in ("stopping", "stopped")
    assert [n["resource_id"] for n in plane.notifications()] == [batch]
    assert plane.world.instance_state(train) == "running"
    assert plane.concurrency("scorer") == 0


def test_the_audit_log_holds_the_month_in_order_with_undo_state(plane: Plane):
    train = plane.launch("g5.xlarge")
    plane.world.make_function("scorer", {})
    plane.deliver(day(3), eventbridge(run_instances(train, "g5.xlarge", day(3))))
    plane.deliver(day(10, 8), actual("$1,000.00", day(10, 8)))
    plane.deliver(day(17, 8), actual("$1,500.00", day(17, 8)))
    plane.deliver(day(17), eventbridge(create_function("scorer", day(17))))
    plane.deliver(day(24, 8), actual("$1,800.00", day(24, 8)))
    batch = plane.launch("m5.xlarge")
    launched = eventbridge(run_instances(batch, "m5.xlarge", day(24)))
    plane.twice(day(24), launched)

    timeline = [
        (
            d["decided_at"][:13],
            d["policy"],
            d["outcome"],
            [(a["kind"], a["status"], a["params"].get("undo")) for a in d["actions"]],
        )
        for d in plane.audit()
    ]

    assert timeline == [
        ("2026-03-03T09", "*", "compliant", []),
        ("2026-03-10T08", "budget-signal", "compliant", []),
        ("2026-03-17T08", "budget-signal", "compliant", []),
        ("2026-03-17T09", NOTIFY, "violation", [("notify", "done", None)]),
        (
            "2026-03-17T09",
            "throttle-functions-over-budget",
            "violation",
            [("throttle", "done", {"concurrency": "unreserved"})],
        ),
        ("2026-03-24T08", "budget-signal", "compliant", []),
        ("2026-03-24T09", NOTIFY, "violation", [("notify", "done", None)]),
        (
            "2026-03-24T09",
            "suspend-instances-over-budget",
            "violation",
            [("suspend", "done", {"state": "running"})],
        ),
    ]


def test_budget_signals_move_the_projection_the_thresholds_read(plane: Plane):
    train = plane.launch("g5.xlarge")
    plane.deliver(day(3, 12), eventbridge(run_instances(train, "g5.xlarge", day(3, 12))))

    [signal] = plane.deliver(day(10, 8), actual("$1,000.00", day(10, 8)))

    assert (signal.policy, signal.outcome.value) == ("budget-signal", "compliant")
    assert signal.reason.endswith("updated ml-team")
    view = plane.runner.spend.budget_views(day(10, 8))["ml-team"]
    assert view.actual == Decimal("1000.00")
    assert view.projected == Decimal("1000.00") + Decimal("1.006") * 684


def test_an_account_wide_throttle_threshold_leaves_instances_to_the_suspend(build_plane: Build):
    thresholds = [
        {"percent": 80, "action": "notify"},
        {"percent": 100, "action": "throttle"},
        {"percent": 120, "action": "suspend"},
    ]
    plane = build_plane([{**BUDGET, "thresholds": thresholds}], None)
    plane.deliver(day(24, 8), actual("$2,500.00", day(24, 8)))
    batch = plane.launch("m5.xlarge")

    decisions = plane.deliver(day(24), eventbridge(run_instances(batch, "m5.xlarge", day(24))))

    assert plane.world.instance_state(batch) in ("stopping", "stopped")
    assert retry_reasons(decisions) == []
