"""AWS Config over SNS, as the stack routes it (`ConfigTopicToEnforcer`: the delivery channel's
topic to the enforcer's queue, not raw): the queue's record body is SNS's envelope around the
configuration-item change, and the tag enforcer decides it as it decides the EventBridge route.

The payload is AWS's documented SNS example (events/aws, source in events/aws/SOURCES.md), moved
onto an instance moto launched."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import orjson

from tests.functions.aws.conftest import (
    ACCOUNT,
    REGION,
    LambdaContext,
    payload,
    sqs_event,
    sqs_record,
)

INHERITED = {"CostCenter": "CC-1001", "Team": "platform"}  # the example taxonomy's defaults


def config_notification(instance_id: str) -> dict[str, Any]:
    """SNS's envelope as an SQS subscription receives it: the Message is a JSON string."""
    envelope = copy.deepcopy(
        payload("aws-config-configurationitemchange-ec2-instance-sns-notification.json")
    )
    message = envelope["Message"]
    item = message["configurationItem"]
    item["resourceId"] = instance_id
    item["ARN"] = f"arn:aws:ec2:{REGION}:{ACCOUNT}:instance/{instance_id}"
    item["awsRegion"], item["awsAccountId"] = REGION, ACCOUNT
    item["configurationItemCaptureTime"] = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    envelope["Message"] = orjson.dumps(message).decode()
    return envelope


def test_a_config_change_delivered_over_sns_through_the_queue_is_remediated(app, stack):
    instance_id = stack.run_instance()

    response = app.sqs_handler(
        sqs_event(sqs_record(config_notification(instance_id))), LambdaContext()
    )

    assert response == {"batchItemFailures": []}
    [decision] = stack.decisions()
    assert (decision["resource_id"], decision["outcome"]) == (instance_id, "violation")
    _, tags = stack.instance(instance_id)
    assert tags.items() >= INHERITED.items()
