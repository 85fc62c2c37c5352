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

import orjson
import pytest

from costplane.adapters.aws import clients
from costplane.domain.errors import DeliveryFailed
from tests.conftest import EVENTS
from tests.functions.aws.conftest import (
    LambdaContext,
    Stack,
    create_bucket_event,
    eventbridge,
    sqs_event,
    sqs_record,
)
from tests.integration.scenario.aws_payloads import (
    BUDGETS_NOTIFICATION,
    budgets_delivery,
    budgets_notification,
    run_instances,
)
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
