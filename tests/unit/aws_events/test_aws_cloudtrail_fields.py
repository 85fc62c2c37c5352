"""The small readers under the extractors: types from ids and ARNs, tag shapes, actors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from costplane.adapters.aws.cloudtrail import actor_of
from costplane.adapters.aws.cloudtrail_fields import (
    parse_arn,
    tag_map,
    type_of_arn,
    type_of_ec2_id,
)
from costplane.adapters.aws.cloudtrail_resources import supported_calls
from costplane.domain.errors import EventRejected

Load = Callable[[str], Any]


@pytest.mark.parametrize(
    ("arn", "resource_type"),
    [
        ("arn:aws:lambda:us-east-1:1:function:f", "aws.lambda.function"),
        ("arn:aws:lambda:us-east-1:1:function:f:prod", "aws.lambda.function"),
        ("arn:aws:rds:us-east-1:1:db:orders", "aws.rds.db"),
        ("arn:aws:eks:us-east-1:1:nodegroup/prod/workers/abc", "aws.eks.nodegroup"),
        ("arn:aws:sagemaker:us-east-1:1:training-job/j", "aws.sagemaker.training-job"),
        ("arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/app/a/1", "aws.elbv2.loadbalancer"),
        ("arn:aws:elasticloadbalancing:us-east-1:1:loadbalancer/classic", "aws.elb.loadbalancer"),
        ("arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/t/1", "aws.elbv2.targetgroup"),
    ],
)
def test_resource_type_comes_from_the_arn_resource_segment(arn: str, resource_type: str) -> None:
    assert type_of_arn(parse_arn(arn, "arn")) == resource_type


@pytest.mark.parametrize(
    ("resource_id", "resource_type"),
    [
        ("i-0dc224bad2cb08740", "aws.ec2.instance"),
        ("nat-00000001111111111", "aws.ec2.natgateway"),
        ("sg-6c7fa917", "aws.ec2.security-group"),
        ("snap-00000000000000000", "aws.ec2.snapshot"),
        ("fleet-1", "aws.ec2.fleet"),
    ],
)
def test_ec2_resource_type_comes_from_the_id_prefix(resource_id: str, resource_type: str) -> None:
    assert type_of_ec2_id(resource_id) == resource_type


def test_a_string_that_is_not_an_arn_is_rejected() -> None:
    with pytest.raises(EventRejected, match="'my-function' is not an ARN"):
        parse_arn("my-function", "requestParameters.resource")


@pytest.mark.parametrize(
    "tags",
    [
        {"Team": "ml"},
        [{"key": "Team", "value": "ml"}],
        [{"Key": "Team", "Value": "ml"}],
        [{"tagKey": "Team", "tagValue": "ml"}],
    ],
)
def test_every_aws_tag_spelling_reads_as_one_map(tags: Any) -> None:
    assert tag_map(tags, "tags") == {"Team": "ml"}


def test_a_tag_without_value_has_the_empty_value() -> None:
    assert tag_map([{"key": "Shared"}], "tags") == {"Shared": ""}


def test_a_non_string_tag_value_is_rejected_with_its_path() -> None:
    with pytest.raises(EventRejected, match=r"tags\[0\]\.value is int, expected a string"):
        tag_map([{"key": "Port", "value": 80}], "tags")


def test_service_principal_is_the_actor_when_there_is_no_arn(aws_payload: Load) -> None:
    record = aws_payload("aws-cloudtrail-ec2-terminateinstances-autoscaling-record.json")
    identity = record["userIdentity"]
    assert actor_of(record) == identity["arn"]
    del identity["arn"]
    assert actor_of(record) == "autoscaling.amazonaws.com"


def test_every_call_of_the_issue_has_an_extractor() -> None:
    calls = {name for _, name in supported_calls()}
    assert calls >= {
        "RunInstances",
        "CreateBucket",
        "CreateDBInstance",
        "CreateFunction20150331",
        "CreateEndpoint",
        "CreateTrainingJob",
        "CreateCluster",
        "CreateNodegroup",
        "CreateNatGateway",
        "CreateTags",
        "DeleteTags",
        "AddTags",
        "TagResource",
        "TerminateInstances",
    }
