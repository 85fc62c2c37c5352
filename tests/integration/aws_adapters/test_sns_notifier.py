"""SnsNotifier publishes each decision as compact JSON that lands on a subscribed SQS queue."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson
import pytest

from costplane.adapters.aws.notify import SnsNotifier
from costplane.domain.decisions import Action, ActionKind, Decision, Outcome, Owner


@pytest.fixture
def topic_and_queue(world):
    sns, sqs = world.client("sns"), world.client("sqs")
    topic = sns.create_topic(Name="costplane-decisions")["TopicArn"]
    url = sqs.create_queue(QueueName="team-inbox")["QueueUrl"]
    queue = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue)
    return topic, url


def received(world, url):
    messages = world.client("sqs").receive_message(
        QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1
    )["Messages"]
    return [orjson.loads(message["Body"]) for message in messages]


def violation(owner: Owner) -> Decision:
    return Decision(
        decision_id="d1",
        policy="tagging",
        provider="aws",
        resource_id="i-0abc",
        resource_type="aws.ec2.instance",
        owner=owner,
        outcome=Outcome.VIOLATION,
        missing_tags=["Environment"],
        actions=[Action(kind=ActionKind.STOP)],
        reason="missing Environment",
        dry_run=False,
        decided_at=datetime(2026, 11, 27, 9, 30, tzinfo=UTC),
    )


def test_notify_publishes_the_decision_without_empty_fields(world, topic_and_queue):
    topic, url = topic_and_queue

    SnsNotifier(topic).notify(violation(Owner(team="platform", source="account")))

    [envelope] = received(world, url)
    body = orjson.loads(envelope["Message"])
    assert body["resource_id"] == "i-0abc"
    assert body["missing_tags"] == ["Environment"]
    assert body["actions"] == [{"kind": "stop", "params": {}, "status": "planned"}]
    assert "invalid_tags" not in body
    assert "event_id" not in body


def test_notify_sets_outcome_owner_and_team_attributes_for_filtering(world, topic_and_queue):
    topic, url = topic_and_queue

    SnsNotifier(topic).notify(violation(Owner(team="platform", source="account")))

    [envelope] = received(world, url)
    attributes = {k: v["Value"] for k, v in envelope["MessageAttributes"].items()}
    assert attributes == {"outcome": "violation", "owner": "platform", "team": "platform"}


def test_notify_leaves_out_the_team_attribute_when_no_team_is_known(world, topic_and_queue):
    topic, url = topic_and_queue

    SnsNotifier(topic).notify(violation(Owner(cost_center="CC-1001", source="tags")))

    [envelope] = received(world, url)
    assert set(envelope["MessageAttributes"]) == {"outcome", "owner"}
    assert envelope["MessageAttributes"]["owner"]["Value"] == "CC-1001"


def test_a_notifier_needs_an_sns_topic_arn():
    with pytest.raises(ValueError, match="not an SNS topic ARN"):
        SnsNotifier("arn:aws:sqs:us-east-1:123456789012:team-inbox")
