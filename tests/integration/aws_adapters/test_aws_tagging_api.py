"""Governed types without a handler of their own are tagged by ARN through the Resource Groups
Tagging API (on the moto server), and read back through the service's own API."""

from __future__ import annotations

import pytest

from costplane.adapters.aws import tagging_api
from costplane.adapters.aws.enforcer import AwsEnforcer
from costplane.adapters.aws.governed import ARN_ADDRESSED
from costplane.adapters.aws.inventory import AwsInventory
from costplane.domain.decisions import ActionKind


def _table(world) -> str:
    created = world.client("dynamodb").create_table(
        TableName="orders",
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        Tags=[{"Key": "Team", "Value": "payments"}],
    )
    return str(created["TableDescription"]["TableArn"])


def _dynamodb_tags(world, arn: str) -> dict[str, str]:
    listed = world.client("dynamodb").list_tags_of_resource(ResourceArn=arn)["Tags"]
    return {t["Key"]: t["Value"] for t in listed}


def test_every_arn_addressed_governed_type_can_be_tagged_and_untagged() -> None:
    enforcer = AwsEnforcer()

    assert all(enforcer.supports(ActionKind.TAG, t) for t in ARN_ADDRESSED)
    assert all(enforcer.supports(ActionKind.UNTAG, t) for t in ARN_ADDRESSED)


def test_a_dynamodb_table_is_tagged_through_the_tagging_api(world) -> None:
    arn = _table(world)

    AwsEnforcer().tag(world.ref("aws.dynamodb.table", arn), {"CostCenter": "CC-1001"})

    assert _dynamodb_tags(world, arn) == {"Team": "payments", "CostCenter": "CC-1001"}


def test_a_dynamodb_table_is_untagged_through_the_tagging_api(world) -> None:
    arn = _table(world)

    AwsEnforcer().untag(world.ref("aws.dynamodb.table", arn), ["Team"])

    assert _dynamodb_tags(world, arn) == {}


def test_the_inventory_reads_a_dynamodb_table_through_the_tagging_api(world) -> None:
    arn = _table(world)

    assert AwsInventory().get_tags(world.ref("aws.dynamodb.table", arn)) == {"Team": "payments"}


def test_a_resource_the_tagging_api_cannot_tag_raises_with_its_reason(world) -> None:
    arn = f"arn:aws:fsx:{world.region}:{world.account}:file-system/fs-0123456789abcdef0"

    with pytest.raises(tagging_api.TaggingFailed, match="fs-0123456789abcdef0"):
        AwsEnforcer().tag(world.ref("aws.fsx.file-system", arn), {"Team": "data"})


def test_a_type_the_plane_can_tag_is_not_one_it_can_stop() -> None:
    enforcer = AwsEnforcer()

    assert enforcer.supports(ActionKind.TAG, "aws.kms.key")
    assert not enforcer.supports(ActionKind.STOP, "aws.kms.key")
