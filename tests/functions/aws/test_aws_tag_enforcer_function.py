"""The Lambda tag enforcer, invoked in-process as Lambda invokes it, against the moto server.

The example taxonomy gives resources 15 minutes of grace and then 24 hours before a stop, so a
fresh untagged instance is remediated (inherited tags) and *marked* for a stop, not stopped;
`test_an_untagged_instance_is_stopped_when_the_taxonomy_allows_no_delay` removes both delays
to see the stop itself.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from costplane.bootstrap import EXAMPLE_TAXONOMY
from costplane.domain.errors import DeliveryFailed
from tests.functions.aws.conftest import (
    FUNCTION,
    LambdaContext,
    create_bucket_event,
    eventbridge,
    payload,
    run_instances_record,
    sqs_event,
    sqs_record,
)
from tests.functions.aws.template_roles import as_function

INHERITED = {"CostCenter": "CC-1001", "Team": "platform"}  # the example taxonomy's defaults


def test_an_eventbridge_event_tags_and_marks_an_untagged_instance(app, stack):
    instance_id = stack.run_instance()

    response = app.lambda_handler(eventbridge(run_instances_record(instance_id)), LambdaContext())

    [decision] = response["decisions"]
    assert decision["outcome"] == "violation"
    assert decision["missing_tags"] == ["Environment"]
    assert [(a["kind"], a["status"]) for a in decision["actions"]] == [
        ("tag", "done"),
        ("notify", "done"),
        ("mark-for-op", "done"),
    ]
    state, tags = stack.instance(instance_id)
    assert state == "running"
    assert tags.items() >= INHERITED.items()
    assert tags["costplane-op"].startswith("stop-")


def test_every_decision_is_appended_to_the_decisions_table(app, stack):
    instance_id = stack.run_instance()

    response = app.lambda_handler(eventbridge(run_instances_record(instance_id)), LambdaContext())

    [stored] = stack.decisions()
    assert stored["decision_id"] == response["decisions"][0]["decision_id"]
    assert stored["resource_id"] == instance_id


def test_an_untagged_instance_is_stopped_when_the_taxonomy_allows_no_delay(
    load_function, stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    taxonomy = yaml.safe_load(EXAMPLE_TAXONOMY.read_text())
    taxonomy["enforcement"].update(grace="PT0S", delay="PT0S")
    path = tmp_path / "taxonomy.yaml"
    path.write_text(yaml.safe_dump(taxonomy))
    monkeypatch.setenv("COSTPLANE_TAXONOMY", str(path))
    instance_id = stack.run_instance()
    record = sqs_record(eventbridge(run_instances_record(instance_id)))

    response = load_function().sqs_handler(sqs_event(record), LambdaContext())

    assert response == {"batchItemFailures": []}
    state, tags = stack.instance(instance_id)
    assert state in ("stopping", "stopped")
    assert tags.items() >= INHERITED.items()


def test_a_batch_reports_exactly_the_record_whose_action_failed(app, stack):
    tagged = sqs_record(eventbridge(run_instances_record(stack.run_instance())))
    malformed = sqs_record('{"version": "0", "detail-type": "AWS API Call via Clou')
    failing = sqs_record(create_bucket_event())  # no such bucket in moto: tagging it fails

    response = app.sqs_handler(sqs_event(tagged, malformed, failing), LambdaContext())

    assert response == {"batchItemFailures": [{"itemIdentifier": failing["messageId"]}]}


def test_a_malformed_record_is_acknowledged_not_retried(app, stack):
    malformed = sqs_record("{not json")

    response = app.sqs_handler(sqs_event(malformed), LambdaContext())

    assert response == {"batchItemFailures": []}
    [rejection] = stack.decisions()
    assert rejection["outcome"] == "error"
    assert "not valid JSON" in rejection["reason"]


def test_a_failed_record_is_acted_on_again_when_redelivered(app, stack):
    failing = sqs_record(create_bucket_event())
    app.sqs_handler(sqs_event(failing), LambdaContext())
    stack.s3.create_bucket(
        Bucket="custodian-create-bucket-v4",
        CreateBucketConfiguration={"LocationConstraint": "us-west-2"},
    )

    response = app.sqs_handler(sqs_event(failing), LambdaContext())

    assert response == {"batchItemFailures": []}
    tags = stack.s3.get_bucket_tagging(Bucket="custodian-create-bucket-v4")["TagSet"]
    assert {t["Key"]: t["Value"] for t in tags} == INHERITED


def test_the_same_sqs_message_delivered_twice_acts_once(app, stack):
    record = sqs_record(eventbridge(run_instances_record(stack.run_instance())))

    first = app.sqs_handler(sqs_event(record), LambdaContext())
    second = app.sqs_handler(sqs_event(record), LambdaContext())

    assert first == second == {"batchItemFailures": []}
    assert len(stack.decisions()) == 1
    assert len(stack.items("IdempotencyTable")) == 1


def test_queue_deliveries_stay_idempotent_after_a_direct_delivery(app, stack):
    app.lambda_handler(eventbridge(run_instances_record(stack.run_instance())), LambdaContext())
    record = sqs_record(eventbridge(run_instances_record(stack.run_instance())))

    app.sqs_handler(sqs_event(record), LambdaContext())
    app.sqs_handler(sqs_event(record), LambdaContext())

    assert len(stack.items("IdempotencyTable")) == 2
    assert len(stack.decisions()) == 2


def test_the_same_event_in_two_messages_acts_once(app, stack):
    body = eventbridge(run_instances_record(stack.run_instance()))

    response = app.sqs_handler(sqs_event(sqs_record(body), sqs_record(body)), LambdaContext())

    assert response == {"batchItemFailures": []}
    assert len(stack.decisions()) == 1  # the core's claim caught what Powertools could not


def test_a_redelivered_eventbridge_event_returns_the_recorded_result(load_function, stack):
    event = eventbridge(run_instances_record(stack.run_instance()))

    first = load_function().lambda_handler(event, LambdaContext())
    second = load_function().lambda_handler(event, LambdaContext())  # another warm instance

    assert second == first
    assert len(stack.decisions()) == 1


def test_an_eventbridge_event_whose_action_fails_raises_for_a_retry(app, stack):
    with pytest.raises(DeliveryFailed, match="create-bucket-v4: tag failed: ResourceGone"):
        app.lambda_handler(create_bucket_event(), LambdaContext())

    assert stack.items("IdempotencyTable") == []  # nothing recorded: the retry runs again


def test_the_service_is_built_once_per_execution_environment(app, stack):
    event = eventbridge(run_instances_record(stack.run_instance()))
    app.lambda_handler(event, LambdaContext())
    first = app.service()

    app.lambda_handler(eventbridge(run_instances_record(stack.run_instance())), LambdaContext())

    assert app.service() is first


def test_the_template_rules_route_a_cloudtrail_event_through_the_queue_to_the_function(app, stack):
    instance_id = stack.run_instance()
    record = run_instances_record(instance_id)

    delivered = stack.route("aws.ec2", "AWS API Call via CloudTrail", record)
    response = app.sqs_handler(sqs_event(*delivered), LambdaContext())

    assert len(delivered) == 1
    assert response == {"batchItemFailures": []}
    assert stack.instance(instance_id)[1].items() >= INHERITED.items()


def test_the_template_rules_leave_out_calls_the_parser_does_not_support(stack):
    record = payload("aws-cloudtrail-s3-createbucket-eventbridge.json")["detail"]

    assert stack.route("aws.s3", "AWS API Call via CloudTrail", record) != []
    assert (
        stack.route(
            "aws.s3", "AWS API Call via CloudTrail", {**record, "eventName": "GetBucketAcl"}
        )
        == []
    )


@pytest.mark.parametrize(("state", "routed"), [("pending", 1), ("running", 0), ("stopped", 0)])
def test_only_instances_starting_are_routed(stack, state, routed):
    change = payload("aws-ec2-instance-state-change-eventbridge.json")

    delivered = stack.route("aws.ec2", change["detail-type"], {**change["detail"], "state": state})

    assert len(delivered) == routed


# Under the template's role ------------------------------------------------------------------


def no_delay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    taxonomy = yaml.safe_load(EXAMPLE_TAXONOMY.read_text())
    taxonomy["enforcement"].update(grace="PT0S", delay="PT0S")
    path = tmp_path / "taxonomy.yaml"
    path.write_text(yaml.safe_dump(taxonomy))
    monkeypatch.setenv("COSTPLANE_TAXONOMY", str(path))


@pytest.mark.parametrize("delay", ["example", "none"])
def test_an_untagged_instance_is_remediated_with_only_the_template_roles_permissions(
    load_function, stack, aws_env, iam_session, tmp_path, monkeypatch, delay
):
    if delay == "none":
        no_delay(tmp_path, monkeypatch)
    record = sqs_record(eventbridge(run_instances_record(stack.run_instance())))

    with as_function(FUNCTION, aws_env, iam_session):
        response = load_function().sqs_handler(sqs_event(record), LambdaContext())

    assert iam_session.denials == []
    assert response == {"batchItemFailures": []}
    [decision] = stack.decisions()
    assert {a["status"] for a in decision["actions"]} == {"done"}


def test_a_new_bucket_is_tagged_with_only_the_template_roles_permissions(
    load_function, stack, aws_env, iam_session
):
    stack.s3.create_bucket(Bucket="custodian-create-bucket-v4")
    record = sqs_record(create_bucket_event())

    with as_function(FUNCTION, aws_env, iam_session):
        response = load_function().sqs_handler(sqs_event(record), LambdaContext())

    assert iam_session.denials == []
    assert response == {"batchItemFailures": []}
    [decision] = stack.decisions()
    assert [a["status"] for a in decision["actions"]] == ["done"] * len(decision["actions"])
