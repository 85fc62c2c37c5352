"""Create calls in real CloudTrail records become CREATE events with the tags of the request."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from costplane.domain.events import Operation, Provider, ResourceEvent
from costplane.engine.envelopes import parse_document, parse_payload

Load = Callable[[str], Any]
LoadBytes = Callable[[str], bytes]
NAT_GATEWAY = "aws-cloudtrail-ec2-createnatgateway-record.json"  # no licence file: read in place


def _only_event(document: Any) -> ResourceEvent:
    parsed = parse_document(document)
    assert parsed.rejected == []
    [event] = parsed.events
    return event


def test_runinstances_yields_one_event_per_instance(aws_payload: Load) -> None:
    record = aws_payload("aws-cloudtrail-ec2-runinstances-iamuser-record.json")
    instances = record["responseElements"]["instancesSet"]["items"]
    second = {**instances[0], "instanceId": "i-0f7c711dc84bedda1"}
    instances.append(second)

    events = parse_document(record).events

    assert [e.resource_id for e in events] == ["i-0f7c711dc84bedda0", "i-0f7c711dc84bedda1"]
    assert {e.event_id for e in events} == {"6589a9eb-59b7-4895-b7ab-962ed3cc257c"}
    assert len({e.idempotency_key for e in events}) == 2


def test_runinstances_takes_instance_tags_from_tag_specification_set(aws_payload: Load) -> None:
    event = _only_event(
        aws_payload("aws-cloudtrail-ec2-runinstances-with-tagspecificationset-record.json")
    )
    assert event.provider is Provider.AWS
    assert event.resource_type == "aws.ec2.instance"
    assert event.resource_id == "i-00000000000000000"
    assert event.operation is Operation.CREATE
    assert event.tags == {"Name": "test"}
    assert event.actor == "arn:aws:sts::123456789012:assumed-role/ARole/user.name"
    assert (event.account, event.region) == ("123456789012", "us-west-2")


def test_panther_event_time_form_is_read_as_utc(aws_payload: Load) -> None:
    event = _only_event(
        aws_payload("aws-cloudtrail-ec2-runinstances-with-tagspecificationset-record.json")
    )
    assert event.event_time == datetime(2024, 4, 2, 15, 13, 6, tzinfo=UTC)


def test_tag_specifications_for_other_resource_types_leave_the_instance_untagged(
    aws_payload: Load,
) -> None:
    record = aws_payload("aws-cloudtrail-ec2-runinstances-with-tagspecificationset-record.json")
    record["requestParameters"]["tagSpecificationSet"]["items"][0]["resourceType"] = "volume"
    assert _only_event(record).tags == {}


def test_runinstances_without_tags_is_known_untagged(aws_payload: Load) -> None:
    event = _only_event(aws_payload("aws-cloudtrail-ec2-runinstances-iamuser-record.json"))
    assert event.tags == {}
    assert event.actor == "arn:aws:iam::644160558196:user/c7nbot"
    assert event.event_time == datetime(2016, 7, 24, 10, 57, 13, tzinfo=UTC)


def test_createbucket_in_eventbridge_envelope_is_an_untagged_bucket(aws_bytes: LoadBytes) -> None:
    parsed = parse_payload(aws_bytes("aws-cloudtrail-s3-createbucket-eventbridge.json"))
    assert parsed.envelope == "aws.eventbridge"
    [event] = parsed.events
    assert (event.resource_type, event.resource_id) == (
        "aws.s3.bucket",
        "custodian-create-bucket-v4",
    )
    assert event.event_id == "c4fa3db1-2303-40e4-bde0-3b7246bdbf0b"
    assert event.tags == {}
    assert event.actor == "arn:aws:iam::619193117841:root"
    assert (event.account, event.region) == ("619193117841", "us-west-2")


def test_createdbinstance_without_arn_in_response_gets_an_arn_built_from_identifier(
    aws_payload: Load,
) -> None:
    event = _only_event(aws_payload("aws-cloudtrail-rds-createdbinstance-record.json"))
    assert event.resource_type == "aws.rds.db"
    assert event.resource_id == "arn:aws:rds:us-east-1:101010101111:db:onenessdb"
    assert event.tags == {}
    assert event.actor == "arn:aws::sts:101010101111:assumed-role/UserRole/userid"


def test_createdbinstance_tags_come_from_request_tags(aws_payload: Load) -> None:
    record = aws_payload("aws-cloudtrail-rds-createdbinstance-record.json")
    record["requestParameters"]["tags"] = [{"key": "CostCenter", "value": "CC-1001"}]
    assert _only_event(record).tags == {"CostCenter": "CC-1001"}


def test_sagemaker_createendpoint_is_addressed_by_its_arn(aws_payload: Load) -> None:
    event = _only_event(aws_payload("aws-cloudtrail-sagemaker-createendpoint-record.json"))
    assert event.resource_type == "aws.sagemaker.endpoint"
    assert event.resource_id == "arn:aws:sagemaker:us-west-2:123456789012:endpoint/exampleendpoint"
    assert event.account == "444455556666"  # recipientAccountId, not the caller's account
    assert event.tags == {}


def test_eks_createcluster_is_addressed_by_its_arn(aws_payload: Load) -> None:
    event = _only_event(aws_payload("aws-cloudtrail-eks-createcluster-record.json"))
    assert event.resource_type == "aws.eks.cluster"
    assert event.resource_id == "arn:aws:eks:us-west-2:111122223333:cluster/test"
    assert event.region == "us-west-2"
    assert event.tags == {}


@pytest.mark.read_in_place(f"events/aws/{NAT_GATEWAY}")
def test_createnatgateway_unwraps_request_and_response(aws_payload: Load) -> None:
    event = _only_event(aws_payload(NAT_GATEWAY))
    assert (event.resource_type, event.resource_id) == (
        "aws.ec2.natgateway",
        "nat-00000001111111111",
    )
    assert event.tags == {}
    assert event.actor == "arn:aws:iam::123456789012:user/creator-user"


@pytest.mark.read_in_place(f"events/aws/{NAT_GATEWAY}")
def test_createnatgateway_with_wrapped_tag_specification_has_unknown_tags(
    aws_payload: Load,
) -> None:
    record = aws_payload(NAT_GATEWAY)
    record["requestParameters"]["CreateNatGatewayRequest"]["TagSpecification"] = {"tag": 1}
    assert _only_event(record).tags is None


def test_terminateinstances_is_a_delete_with_unknown_tags(aws_payload: Load) -> None:
    event = _only_event(
        aws_payload("aws-cloudtrail-ec2-terminateinstances-autoscaling-record.json")
    )
    assert (event.resource_id, event.operation) == ("i-0d9853f67e40ab80b", Operation.DELETE)
    assert event.tags is None
    assert event.event_time == datetime(2021, 10, 29, 23, 50, 9, tzinfo=UTC)


def test_deletefunction_name_is_completed_into_the_function_arn(aws_payload: Load) -> None:
    log_file = aws_payload(
        "aws-cloudtrail-lambda-getfunction-denied-deletefunction-s3-logfile-records.json"
    )
    [event] = parse_document(log_file).events
    assert event.resource_id == "arn:aws:lambda:us-east-1:999999999999:function:basic-node-task"
    assert (event.resource_type, event.operation) == ("aws.lambda.function", Operation.DELETE)
