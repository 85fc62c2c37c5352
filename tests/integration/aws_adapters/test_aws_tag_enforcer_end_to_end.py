"""The tag enforcer on the AWS plane: a real untagged instance ends tagged and stopped, once."""

from __future__ import annotations

import logging
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta

import orjson
import pytest

from costplane.bootstrap import EXAMPLE_TAXONOMY, tag_enforcer_on
from costplane.config import Settings
from costplane.domain.decisions import ActionKind, ActionStatus, Outcome
from costplane.domain.events import Operation, Provider, ResourceEvent
from costplane.planes import load_plane
from costplane.tagging.loader import load_taxonomy
from costplane.tagging.service import TagEnforcer
from tests.support.tagging import enforcing_at_once

INHERITED = {"CostCenter": "CC-1001", "Team": "platform"}  # the example's defaults for 123456789012


@pytest.fixture
def make_enforcer(state_tables, monkeypatch):
    """Enforce mode, stop on violation, no delay and no grace; state in DynamoDB."""
    claims, decisions = state_tables
    monkeypatch.setenv("COSTPLANE_CLAIMS_TABLE", claims)
    monkeypatch.setenv("COSTPLANE_DECISIONS_TABLE", decisions)
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    taxonomy = enforcing_at_once(load_taxonomy(EXAMPLE_TAXONOMY))

    def make() -> TagEnforcer:
        return tag_enforcer_on(load_plane("aws", Settings()).runtime, taxonomy, source="aws")

    return make


@pytest.fixture
def enforcer(make_enforcer):
    return make_enforcer()


def run_instances_event(world, instance_id: str) -> ResourceEvent:
    """What the CloudTrail parser emits for an untagged RunInstances a minute ago."""
    return ResourceEvent(
        provider=Provider.AWS,
        event_id=str(uuid.uuid4()),
        event_name="RunInstances",
        event_time=datetime.now(UTC) - timedelta(minutes=1),
        account=world.account,
        region=world.region,
        resource_id=instance_id,
        resource_type="aws.ec2.instance",
        operation=Operation.CREATE,
        actor="arn:aws:iam::123456789012:user/dev",
        tags={},
    )


def test_an_untagged_instance_ends_tagged_with_the_defaults_and_stopped(world, enforcer):
    [instance] = world.run_instances()

    decision = enforcer.handle_event(run_instances_event(world, instance))

    assert decision.outcome is Outcome.VIOLATION
    assert decision.missing_tags == ["Environment"]
    assert [(a.kind, a.status) for a in decision.actions] == [
        (ActionKind.TAG, ActionStatus.DONE),
        (ActionKind.NOTIFY, ActionStatus.DONE),
        (ActionKind.STOP, ActionStatus.DONE),
    ]
    assert world.ec2_tags(instance) == INHERITED
    assert world.instance_state(instance) == "stopped"


def test_the_same_event_delivered_twice_acts_once(world, enforcer):
    [instance] = world.run_instances()
    event = run_instances_event(world, instance)
    enforcer.handle_event(event)
    ec2 = world.client("ec2")
    ec2.start_instances(InstanceIds=[instance])
    ec2.delete_tags(Resources=[instance], Tags=[{"Key": key} for key in INHERITED])

    again = enforcer.handle_event(event)

    assert again.outcome is Outcome.SKIPPED
    assert world.instance_state(instance) == "running"
    assert world.ec2_tags(instance) == {}
    assert [d.outcome for d in enforcer.state.recent_decisions(10)] == [Outcome.VIOLATION]


def test_the_owner_is_notified_on_sns(world, make_enforcer, monkeypatch):
    sns, sqs = world.client("sns"), world.client("sqs")
    topic = sns.create_topic(Name="costplane-decisions")["TopicArn"]
    url = sqs.create_queue(QueueName="platform-inbox")["QueueUrl"]
    queue = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue["QueueArn"])
    monkeypatch.setenv("COSTPLANE_TOPIC_ARN", topic)
    [instance] = world.run_instances()

    make_enforcer().handle_event(run_instances_event(world, instance))

    [message] = sqs.receive_message(QueueUrl=url, WaitTimeSeconds=1)["Messages"]
    body = orjson.loads(orjson.loads(message["Body"])["Message"])
    assert (body["resource_id"], body["outcome"], body["owner"]["team"]) == (
        instance,
        "violation",
        "platform",
    )


def test_fifty_untagged_instances_each_end_tagged_and_stopped(world, enforcer, caplog):
    """Also prints the median wall time per event of claim, decide, tag, stop and audit."""
    caplog.set_level(logging.WARNING, logger="werkzeug")  # moto's access log is not our cost
    instances = world.run_instances(count=50)
    events = [run_instances_event(world, instance) for instance in instances]
    enforcer.handle_event(events[0])  # the first event pays for creating the clients

    timings = []
    for event in events[1:]:
        started = time.perf_counter()
        enforcer.handle_event(event)
        timings.append((time.perf_counter() - started) * 1000)

    print(
        f"\naws plane against moto: median {statistics.median(timings):.1f} ms/event, "
        f"p90 {statistics.quantiles(timings, n=10)[-1]:.1f} ms over {len(timings)} events"
    )
    described = world.client("ec2").describe_instances(InstanceIds=instances)["Reservations"]
    found = [i for r in described for i in r["Instances"]]
    assert {i["State"]["Name"] for i in found} == {"stopped"}
    assert all({t["Key"]: t["Value"] for t in i["Tags"]} == INHERITED for i in found)
