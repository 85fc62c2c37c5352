"""The Lambda policy runner, invoked in-process as Lambda invokes it, against the moto server:
the tables and topic of infra/aws/template.yaml created in moto, real CloudTrail records in the
envelopes EventBridge and SQS wrap them in, and the real AWS Budgets SNS delivery (read in
place) for the budget signals.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import boto3
import orjson
import pytest

from costplane.adapters.aws import clients
from costplane.adapters.aws.enforcer import AwsEnforcer
from costplane.domain.errors import DeliveryFailed
from tests.conftest import EVENTS
from tests.functions.aws.conftest import (
    LambdaContext,
    Stack,
    catalog_io,
    create_bucket_event,
    eventbridge,
    sqs_event,
    sqs_record,
)
from tests.functions.aws.template_roles import Deployment, as_function
from tests.integration.aws_adapters.conftest import World
from tests.integration.scenario.aws_payloads import (
    BUDGETS_NOTIFICATION,
    budgets_delivery,
    budgets_notification,
    create_function,
    run_instances,
)
from tests.support import aws_targets
from tests.support.modules import fresh_module

APP = Path(__file__).resolve().parents[3] / "functions" / "aws" / "policy_runner" / "app.py"
NAME = "costplane-PolicyRunnerFunction"
CONTEXT = replace(
    LambdaContext(),
    function_name=NAME,
    invoked_function_arn=f"arn:aws:lambda:us-east-1:123456789012:function:{NAME}",
    log_group_name=f"/aws/lambda/{NAME}",
)
BOTH_POLICIES = ["cost-center-required", "pricey-compute"]
REGION = "us-east-1"
LAKE = "costplane-lake"


def context() -> LambdaContext:
    """A fresh invocation context (its own request id)."""
    return replace(CONTEXT, aws_request_id=LambdaContext().aws_request_id)


@pytest.fixture
def stack(
    aws_env: str, policy_files: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Stack:
    """The function's environment, with the template's tables and topic created in moto."""
    clients.reset()  # clients cached by earlier tests may point elsewhere
    deployed = Stack(aws_env)
    for name, value in {
        "COSTPLANE_PLANE": "aws",
        "COSTPLANE_MODE": "enforce",
        "COSTPLANE_CLAIMS_TABLE": deployed.create("ClaimsTable"),
        "COSTPLANE_DECISIONS_TABLE": deployed.create("DecisionsTable"),
        "COSTPLANE_IDEMPOTENCY_TABLE": deployed.create("IdempotencyTable"),
        "COSTPLANE_TOPIC_ARN": deployed.create("NotificationTopic"),
        "COSTPLANE_APPROVALS_TABLE": deployed.create("ApprovalsTable"),
        "COSTPLANE_LAKE": str(tmp_path / "lake"),
        "AWS_LAMBDA_FUNCTION_NAME": NAME,
        "POWERTOOLS_SERVICE_NAME": "policy_runner",
    }.items():
        monkeypatch.setenv(name, value)
    return deployed


@pytest.fixture
def load_function(stack: Stack) -> Callable[[], ModuleType]:
    """Import app.py as a new module named `app`, as a new execution environment would."""

    def load() -> ModuleType:
        return fresh_module(APP)

    return load


@pytest.fixture
def app(load_function: Callable[[], ModuleType]) -> ModuleType:
    return load_function()


def launched(stack: Stack, instance_id: str | None = None) -> dict[str, Any]:
    """EventBridge's delivery of the real RunInstances record, for an instance moto runs."""
    record = run_instances(instance_id or stack.run_instance(), "m3.medium", datetime.now(UTC))
    return eventbridge(record)


def generic_sns() -> dict[str, Any]:
    """SNS's real delivery to Lambda of a message that is not a budget notification."""
    return orjson.loads((EVENTS / "aws" / "aws-sns-lambda-event-generic.json").read_bytes())


def policies(response: dict[str, Any]) -> list[str]:
    return sorted(d["policy"] for d in response["decisions"])


# Resource events ---------------------------------------------------------------------------


def test_one_event_is_decided_by_every_policy_in_one_invocation(app, stack):
    instance_id = stack.run_instance()

    response = app.lambda_handler(launched(stack, instance_id), context())

    assert policies(response) == BOTH_POLICIES
    actions = {
        d["policy"]: [(a["kind"], a["status"]) for a in d["actions"]] for d in response["decisions"]
    }
    assert actions == {
        "cost-center-required": [("tag", "done")],
        "pricey-compute": [("notify", "done")],
    }
    assert stack.instance(instance_id)[1] == {"costplane-review": "required"}
    assert sorted(d["policy"] for d in stack.decisions()) == BOTH_POLICIES


def test_a_batch_reports_exactly_the_record_whose_action_failed(app, stack):
    decided = sqs_record(launched(stack))
    malformed = sqs_record('{"version": "0", "detail-type": "AWS API Call via Clou')
    failing = sqs_record(create_bucket_event())  # no such bucket in moto: tagging it fails

    response = app.sqs_handler(sqs_event(decided, malformed, failing), context())

    assert response == {"batchItemFailures": [{"itemIdentifier": failing["messageId"]}]}


def test_a_failed_record_is_acted_on_again_when_redelivered(app, stack):
    failing = sqs_record(create_bucket_event())
    app.sqs_handler(sqs_event(failing), context())
    stack.s3.create_bucket(
        Bucket="custodian-create-bucket-v4",
        CreateBucketConfiguration={"LocationConstraint": "us-west-2"},
    )

    response = app.sqs_handler(sqs_event(failing), context())

    assert response == {"batchItemFailures": []}
    tags = stack.s3.get_bucket_tagging(Bucket="custodian-create-bucket-v4")["TagSet"]
    assert tags == [{"Key": "costplane-review", "Value": "required"}]


def test_an_eventbridge_event_whose_action_fails_raises_for_a_retry(app, stack):
    with pytest.raises(DeliveryFailed, match="create-bucket-v4: tag failed: ResourceGone"):
        app.lambda_handler(create_bucket_event(), context())

    assert stack.items("IdempotencyTable") == []  # nothing recorded: the retry runs again


def test_the_same_sqs_message_delivered_twice_acts_once(app, stack):
    record = sqs_record(launched(stack))

    first = app.sqs_handler(sqs_event(record), context())
    second = app.sqs_handler(sqs_event(record), context())

    assert first == second == {"batchItemFailures": []}
    assert len(stack.decisions()) == len(BOTH_POLICIES)
    assert len(stack.items("IdempotencyTable")) == 1


def test_the_same_event_in_two_messages_acts_once(app, stack):
    body = launched(stack)

    response = app.sqs_handler(sqs_event(sqs_record(body), sqs_record(body)), context())

    assert response == {"batchItemFailures": []}
    assert len(stack.decisions()) == len(BOTH_POLICIES)  # the core's claim caught the second


def test_each_handler_keys_idempotency_on_its_own_delivery_id(app, stack):
    event = launched(stack)
    app.sns_handler(generic_sns(), context())

    first = app.lambda_handler(event, context())
    second = app.lambda_handler(event, context())

    assert second == first
    assert len(stack.items("IdempotencyTable")) == 2  # the notification's and the event's


def test_the_service_is_built_once_per_execution_environment(app, stack):
    app.lambda_handler(launched(stack), context())
    first = app.service()

    app.lambda_handler(launched(stack), context())

    assert app.service() is first


# Budget notifications ----------------------------------------------------------------------


@pytest.mark.read_in_place(BUDGETS_NOTIFICATION)
def test_an_aws_budgets_notification_updates_the_budget_and_is_audited(app, stack):
    response = app.sns_handler(budgets_delivery(), context())

    [decision] = response["decisions"]
    assert (decision["policy"], decision["outcome"]) == ("budget-signal", "compliant")
    assert decision["reason"] == "killswitch: actual 1.70 of 5.00 USD; updated sandbox"
    assert [d["decision_id"] for d in stack.decisions()] == [decision["decision_id"]]
    published = datetime(2023, 3, 5, 1, 1, 38, tzinfo=UTC)
    assert app.service().spend.budget_views(published)["sandbox"].actual == Decimal("1.70")


@pytest.mark.read_in_place(BUDGETS_NOTIFICATION)
def test_a_redelivered_notification_returns_the_recorded_result(load_function, stack):
    first = load_function().sns_handler(budgets_delivery(), context())
    second = load_function().sns_handler(budgets_delivery(), context())  # another instance

    assert second == first
    assert len(stack.decisions()) == 1
    assert len(stack.items("IdempotencyTable")) == 1


@pytest.mark.read_in_place(BUDGETS_NOTIFICATION)
def test_a_budget_over_its_threshold_reaches_the_next_resource_event(app, stack):
    now = datetime.now(UTC)
    app.sns_handler(budgets_notification("killswitch", "$100.00", "$95.00", now), context())

    response = app.lambda_handler(launched(stack), context())

    assert "budget-sandbox-projected-80" in policies(response)


@pytest.mark.read_in_place(BUDGETS_NOTIFICATION)
def test_an_unreadable_budgets_notification_is_audited_and_not_retried(app, stack):
    event = budgets_notification("killswitch", "$5.00", "a lot", datetime.now(UTC))

    [decision] = app.sns_handler(event, context())["decisions"]

    assert decision["outcome"] == "error"
    assert "ACTUAL Amount 'a lot' is not an amount of money" in decision["reason"]
    assert [d["outcome"] for d in stack.decisions()] == ["error"]


def test_an_sns_message_that_is_not_a_budget_notification_is_acknowledged(app, stack):
    [decision] = app.sns_handler(generic_sns(), context())["decisions"]

    assert decision["outcome"] == "skipped"
    assert "is not a resource event" in decision["reason"]
    assert [d["outcome"] for d in stack.decisions()] == ["skipped"]


# Under the template's role ------------------------------------------------------------------

FUNCTION = "PolicyRunnerFunction"
UNTAGGED = [{"type": "tag-missing", "keys": ["CostCenter"]}]
ACTING_POLICIES = [
    {
        "name": "instance-without-cost-center",
        "scope": {"resource_type": "aws.ec2.instance"},
        "conditions": UNTAGGED,
        "actions": [
            {"type": "tag", "tags": {"costplane-review": "required"}},
            {"type": "mark-for-op", "op": "stop", "after": "P1D"},
            {"type": "notify"},
            {"type": "suspend"},
            {
                "type": "request-approval",
                "approvers": ["U024BE7LH"],
                "channel": "slack",
                "then": "stop",
            },
        ],
        "mode": "enforce",
    },
    {
        "name": "function-without-cost-center",
        "scope": {"resource_type": "aws.lambda.function"},
        "conditions": UNTAGGED,
        "actions": [{"type": "throttle"}],
        "mode": "enforce",
    },
]


@pytest.fixture
def acting_policies(stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Policies taking every action an instance or function event can lead to, and the
    budgets table the template gives the function."""
    path = tmp_path / "acting.yaml"
    path.write_text(orjson.dumps({"version": 1, "policies": ACTING_POLICIES}).decode())
    monkeypatch.setenv("COSTPLANE_POLICIES", str(path))
    monkeypatch.setenv("COSTPLANE_BUDGETS_TABLE", stack.create("BudgetsTable"))


def actions_taken(stack: Stack) -> dict[str, str]:
    return {a["kind"]: a["status"] for d in stack.decisions() for a in d["actions"]}


def test_an_instance_event_acts_with_only_the_template_roles_permissions(
    load_function, stack, acting_policies, aws_env, iam_session
):
    record = sqs_record(launched(stack))

    with as_function(FUNCTION, aws_env, iam_session):
        response = load_function().sqs_handler(sqs_event(record), context())

    assert iam_session.denials == []
    assert response == {"batchItemFailures": []}
    assert actions_taken(stack) == {
        "tag": "done",
        "mark-for-op": "done",
        "notify": "done",
        "suspend": "done",
        "request-approval": "not-taken",  # no chat channel configured: recorded, not retried
    }


def test_a_function_event_throttles_with_only_the_template_roles_permissions(
    load_function, stack, acting_policies, aws_env, iam_session
):
    World(aws_env, {}).make_function("scorer", {})
    record = sqs_record(eventbridge(create_function("scorer", datetime.now(UTC))))

    with as_function(FUNCTION, aws_env, iam_session):
        response = load_function().sqs_handler(sqs_event(record), context())

    assert iam_session.denials == []
    assert response == {"batchItemFailures": []}
    assert actions_taken(stack) == {"throttle": "done"}


RUNNABLE = [
    (key, resource_type)
    for key in aws_targets.ON_AWS
    for resource_type in aws_targets.RESOURCE_TYPES
    if AwsEnforcer().supports(aws_targets.kind_of(key), resource_type)
]


@pytest.mark.parametrize(("key", "resource_type"), RUNNABLE, ids=[f"{k}-{t}" for k, t in RUNNABLE])
def test_every_action_on_every_type_it_supports_runs_under_the_template_role(
    aws_env, iam_session, key, resource_type
):
    """Also what no routed event reaches yet (Auto Scaling groups, IAM principals): the
    runner's enforcer, run and retried as a redelivery would, in the function's role."""
    ref = aws_targets.make(World(aws_env, {}), resource_type)

    with as_function(FUNCTION, aws_env, iam_session), aws_targets.unless_moto_lacks(resource_type):
        for _ in range(2):
            aws_targets.act(AwsEnforcer(), aws_targets.kind_of(key), ref)

    assert iam_session.denials == []


def test_with_the_lake_wired_an_event_is_decided_with_only_the_template_roles_permissions(
    load_function, stack, aws_env, iam_session, monkeypatch
):
    """A stack that ingests bills hands the runner the Glue lake, which it may only read."""
    boto3.client("s3", region_name=REGION).create_bucket(Bucket=LAKE)
    boto3.client("glue", region_name=REGION).create_database(
        DatabaseInput={"Name": "costplane", "LocationUri": f"s3://{LAKE}/warehouse/costplane"}
    )
    for name, value in {
        "COSTPLANE_CATALOG_TYPE": "glue",
        "COSTPLANE_CATALOG_NAMESPACE": "costplane",
        "COSTPLANE_CATALOG_WAREHOUSE": f"s3://{LAKE}/warehouse",
    }.items():
        monkeypatch.setenv(name, value)
    event = launched(stack)
    deployed = Deployment({"ExportBucketName": "billing-exports"}, {"LakeBucket": LAKE})

    with as_function(FUNCTION, aws_env, iam_session, deployed):
        monkeypatch.setenv(
            "COSTPLANE_CATALOG_PROPERTIES", orjson.dumps(catalog_io(aws_env)).decode()
        )
        response = load_function().lambda_handler(event, context())

    assert iam_session.denials == []
    assert policies(response) == BOTH_POLICIES
    assert {a for a in iam_session.actions() if a.startswith("glue:")} == {"glue:GetTable"}


@pytest.mark.read_in_place(BUDGETS_NOTIFICATION)
def test_a_budgets_notification_is_taken_with_only_the_template_roles_permissions(
    load_function, stack, aws_env, iam_session, monkeypatch
):
    monkeypatch.setenv("COSTPLANE_BUDGETS_TABLE", stack.create("BudgetsTable"))

    with as_function("PolicyRunnerBudgetsFunction", aws_env, iam_session):
        [decision] = load_function().sns_handler(budgets_delivery(), context())["decisions"]

    assert iam_session.denials == []
    assert (decision["policy"], decision["outcome"]) == ("budget-signal", "compliant")
