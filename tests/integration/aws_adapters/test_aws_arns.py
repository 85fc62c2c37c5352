"""ARNs and names: the adapters accept either form an event gives, in the right partition."""

from __future__ import annotations

import pytest

from costplane.adapters.aws.arns import arn_of, partition, region_of, resource_name
from costplane.adapters.aws.inventory import AwsInventory
from costplane.domain.events import Provider
from costplane.engine.ports import ResourceRef


def ref(resource_type: str, resource_id: str, region: str | None = "eu-west-1") -> ResourceRef:
    return ResourceRef(
        provider=Provider.AWS,
        account="123456789012",
        region=region,
        resource_id=resource_id,
        resource_type=resource_type,
    )


@pytest.mark.parametrize(
    ("region", "expected"),
    [("eu-west-1", "aws"), ("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov")],
)
def test_the_partition_follows_the_region(region, expected):
    assert partition(region) == expected


@pytest.mark.parametrize(
    ("resource_type", "resource_id", "name"),
    [
        ("aws.rds.db", "arn:aws:rds:eu-west-1:123456789012:db:orders", "orders"),
        ("aws.lambda.function", "arn:aws:lambda:eu-west-1:123456789012:function:ingest", "ingest"),
        ("aws.eks.cluster", "arn:aws:eks:eu-west-1:123456789012:cluster/prod", "prod"),
        ("aws.s3.bucket", "arn:aws:s3:::costplane-ledger", "costplane-ledger"),
        ("aws.rds.db", "orders", "orders"),
    ],
)
def test_resource_name_is_the_id_or_the_name_inside_an_arn(resource_type, resource_id, name):
    assert resource_name(ref(resource_type, resource_id)) == name


def test_an_arn_is_built_from_account_region_and_name():
    built = arn_of(ref("aws.rds.db", "orders"), "cn-north-1")

    assert built == "arn:aws-cn:rds:cn-north-1:123456789012:db:orders"


def test_a_ref_without_a_region_takes_the_region_of_its_arn():
    arn = "arn:aws:lambda:eu-west-1:123456789012:function:ingest"

    assert region_of(ref("aws.lambda.function", arn, region=None)) == "eu-west-1"


def test_a_resource_in_another_region_is_read_there(world):
    import boto3

    sqs = boto3.client("sqs", region_name="eu-west-1", endpoint_url=world.endpoint)
    url = sqs.create_queue(QueueName="jobs", tags={"Team": "data"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]

    assert AwsInventory().get_tags(ref("aws.sqs.queue", arn, region=None)) == {"Team": "data"}
