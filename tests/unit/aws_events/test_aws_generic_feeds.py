"""AWS Config configuration items and `aws.tag` tag changes become the same resource events.

The Config payloads are AWS's documented notifications (events/aws/SOURCES.md); the
EventBridge and Lambda-SNS forms wrap the same message as AWS Config's developer guide
describes those envelopes ('Monitoring AWS Config with Amazon EventBridge': `source`
aws.config, the message as `detail`; SNS to Lambda: the message as the `Sns.Message` string).
The `aws.tag` payload is AWS's documented tag-policy example (AWS Organizations user guide,
events/aws/SOURCES.md), printed without the envelope fields EventBridge adds to every event
(`version`, `id`, `source`, `account`, `time`): as printed it is no event any parser knows, so
`_tag_change` adds those fields, with the values of the complete example in the Tag Editor
user guide (a page whose licence is not stated, so not copied), and names the resource.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import orjson

from costplane.domain.errors import Rejection
from costplane.domain.events import Operation
from costplane.engine.envelopes import parse_document

Load = Callable[[str], Any]
INSTANCE = "aws-config-configurationitemchange-ec2-instance-sns-notification.json"
SECURITY_GROUP = "aws-config-configurationitemchange-ec2-securitygroup-sns-notification.json"
TAG_POLICY = "aws-tag-change-on-resource-noncompliant-partial.json"


def _eventbridge(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "version": "0",
        "id": "cd4d811e-ab12-322b-8255-872ce65b1bc8",
        "detail-type": "Config Configuration Item Change",
        "source": "aws.config",
        "account": "123456789012",
        "time": "2017-01-09T22:50:16Z",
        "region": "us-east-2",
        "resources": [],
        "detail": message,
    }


def _lambda_sns(message: dict[str, Any]) -> dict[str, Any]:
    sns = {"MessageId": "m-1", "TopicArn": "arn:aws:sns:us-east-2:123456789012:config-topic-ohio"}
    sns["Message"] = orjson.dumps(message).decode()
    return {"Records": [{"EventSource": "aws:sns", "EventVersion": "1.0", "Sns": sns}]}


def _tag_change(aws_payload: Load, arn: str) -> dict[str, Any]:
    documented: dict[str, Any] = aws_payload(TAG_POLICY)
    envelope = {
        "version": "0",
        "id": "bddcf1d6-0251-35a1-aab0-adc1fb47c11c",
        "source": "aws.tag",
        "account": "123456789012",
        "time": "2018-09-18T20:41:38Z",
    }
    return {**envelope, **documented, "resources": [arn]}


def test_a_config_item_over_sns_is_an_update_with_the_full_tag_set(aws_payload: Load) -> None:
    parsed = parse_document(aws_payload(INSTANCE))

    assert parsed.envelope == "aws.config.sns"
    [event] = parsed.events
    assert (event.resource_type, event.resource_id) == ("aws.ec2.instance", "i-007d374c8912e3e90")
    assert (event.account, event.region) == ("123456789012", "us-east-2")
    assert (event.operation, event.tags) == (Operation.UPDATE, {"Name": "value"})


def test_one_config_item_has_one_idempotency_key_whichever_route_delivers_it(
    aws_payload: Load,
) -> None:
    notification = aws_payload(INSTANCE)
    routes = [
        notification,
        _eventbridge(notification["Message"]),
        _lambda_sns(notification["Message"]),
    ]

    keys = {event.idempotency_key for route in routes for event in parse_document(route).events}

    assert keys == {"aws:config:i-007d374c8912e3e90:1484002214328:i-007d374c8912e3e90"}


def test_a_config_item_caused_by_a_cloudtrail_call_shares_that_calls_key(aws_payload: Load) -> None:
    message = aws_payload(INSTANCE)["Message"]
    message["configurationItem"]["relatedEvents"] = ["0a091b9b-0df5-4cf9-b667-6f2879532b8f"]

    [event] = parse_document(_eventbridge(message)).events

    assert event.event_id == "0a091b9b-0df5-4cf9-b667-6f2879532b8f"


def test_a_resource_type_that_carries_no_spend_is_skipped_naming_the_type(
    aws_payload: Load,
) -> None:
    parsed = parse_document(aws_payload(SECURITY_GROUP))

    assert parsed.events == []
    [rejected] = parsed.rejected
    assert (rejected.code, rejected.skipped) == (Rejection.UNGOVERNED_RESOURCE_TYPE, True)
    assert "AWS::EC2::SecurityGroup" in rejected.reason


def test_a_created_item_is_a_create_and_a_deleted_one_a_delete_without_tags(
    aws_payload: Load,
) -> None:
    message = aws_payload(INSTANCE)["Message"]
    message["configurationItemDiff"]["changeType"] = "CREATE"
    [created] = parse_document(_eventbridge(message)).events
    message["configurationItemDiff"]["changeType"] = "DELETE"
    message["configurationItem"]["configurationItemStatus"] = "ResourceDeleted"
    [deleted] = parse_document(_eventbridge(message)).events

    assert (created.operation, created.tags) == (Operation.CREATE, {"Name": "value"})
    assert (deleted.operation, deleted.tags) == (Operation.DELETE, None)


def test_other_config_messages_on_the_topic_are_not_resource_events(aws_payload: Load) -> None:
    notification = aws_payload(INSTANCE)
    notification["Message"] = {"messageType": "ComplianceChangeNotification"}

    [rejected] = parse_document(notification).rejected

    assert (rejected.code, rejected.skipped) == (Rejection.NOT_A_RESOURCE_EVENT, True)


def test_a_tag_change_is_an_update_with_the_resources_full_tags(aws_payload: Load) -> None:
    arn = "arn:aws:ec2:us-east-1:123456789012:instance/i-0000000aaaaaaaaaa"

    [event] = parse_document(_tag_change(aws_payload, arn)).events

    assert (event.resource_type, event.resource_id) == ("aws.ec2.instance", "i-0000000aaaaaaaaaa")
    assert (event.account, event.region) == ("123456789012", "us-east-1")
    assert event.operation is Operation.UPDATE
    assert event.tags == {"a-new-key": "tag-value-on-new-key-just-added"}


def test_the_documented_tag_change_without_its_envelope_is_no_known_event(
    aws_payload: Load,
) -> None:
    [rejected] = parse_document(aws_payload(TAG_POLICY)).rejected

    assert rejected.code == Rejection.UNKNOWN_EVENT_TYPE


def test_a_tag_change_names_a_bucket_by_its_name_and_other_types_by_arn(aws_payload: Load) -> None:
    table = "arn:aws:dynamodb:us-east-1:123456789012:table/orders"
    [bucket] = parse_document(_tag_change(aws_payload, "arn:aws:s3:::payments-data")).events
    [dynamo] = parse_document(_tag_change(aws_payload, table)).events

    assert (bucket.resource_type, bucket.resource_id) == ("aws.s3.bucket", "payments-data")
    assert (dynamo.resource_type, dynamo.resource_id) == ("aws.dynamodb.table", table)


def test_a_tag_change_on_an_ungoverned_type_is_skipped_naming_the_type(aws_payload: Load) -> None:
    role = "arn:aws:iam::123456789012:role/deployer"
    [rejected] = parse_document(_tag_change(aws_payload, role)).rejected

    assert (rejected.code, rejected.skipped) == (Rejection.UNGOVERNED_RESOURCE_TYPE, True)
    assert "aws.iam.role" in rejected.reason


def test_a_plain_text_notification_over_https_is_not_a_resource_event(aws_payload: Load) -> None:
    notification = aws_payload(INSTANCE) | {"Message": "deployment finished"}

    [rejected] = parse_document(notification).rejected

    assert (rejected.code, rejected.skipped) == (Rejection.NOT_A_RESOURCE_EVENT, True)
