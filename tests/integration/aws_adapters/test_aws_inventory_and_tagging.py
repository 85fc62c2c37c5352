"""AwsInventory reads and AwsEnforcer writes the real tags of every supported resource type."""

from __future__ import annotations

import pytest

from costplane.adapters.aws.enforcer import AwsEnforcer
from costplane.adapters.aws.inventory import AwsInventory, UnsupportedResource
from costplane.domain.decisions import ActionKind
from costplane.engine.ports import ResourceGone

ACCOUNT = "123456789012"
REGION = "us-east-1"

MISSING = {
    "aws.ec2.instance": "i-0123456789abcdef0",
    "aws.ec2.natgateway": "nat-0123456789abcdef0",
    "aws.s3.bucket": "costplane-no-such-bucket",
    "aws.rds.db": f"arn:aws:rds:{REGION}:{ACCOUNT}:db:no-such-db",
    "aws.lambda.function": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:no-such-function",
    "aws.sagemaker.endpoint": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint/no-such-endpoint",
    "aws.sagemaker.training-job": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:training-job/no-such-job",
    "aws.eks.cluster": f"arn:aws:eks:{REGION}:{ACCOUNT}:cluster/no-such-cluster",
    "aws.eks.nodegroup": "no-such-cluster/workers",
}


def test_inventory_reads_the_tags_the_resource_was_created_with(made):
    assert (
        AwsInventory().get_tags(made.ref) == made.read() == {"Team": "search", "Environment": "dev"}
    )


def test_tag_adds_and_overwrites_keys_and_keeps_the_others(taggable):
    AwsEnforcer().tag(taggable.ref, {"CostCenter": "CC-1001", "Team": "platform"})

    assert taggable.read() == {"Team": "platform", "Environment": "dev", "CostCenter": "CC-1001"}


def test_tagging_twice_leaves_the_same_tags(taggable):
    enforcer = AwsEnforcer()
    enforcer.tag(taggable.ref, {"CostCenter": "CC-1001"})
    enforcer.tag(taggable.ref, {"CostCenter": "CC-1001"})

    assert taggable.read() == {"Team": "search", "Environment": "dev", "CostCenter": "CC-1001"}


def test_untag_removes_only_the_named_keys_and_ignores_absent_ones(taggable):
    AwsEnforcer().untag(taggable.ref, ["Environment", "NeverSet"])

    assert taggable.read() == {"Team": "search"}


@pytest.mark.parametrize("resource_type", [*MISSING, "aws.ec2.volume", "aws.elbv2.loadbalancer"])
@pytest.mark.parametrize("kind", [ActionKind.TAG, ActionKind.UNTAG, ActionKind.MARK_FOR_OP])
def test_enforcer_supports_tagging_and_mark_for_op_on_every_readable_type(kind, resource_type):
    assert AwsEnforcer().supports(kind, resource_type)


def test_enforcer_does_not_offer_tagging_where_it_has_no_writer():
    assert not AwsEnforcer().supports(ActionKind.TAG, "aws.iam.policy")


def test_removing_every_bucket_tag_leaves_the_bucket_untagged(world):
    bucket = world.make("aws.s3.bucket")

    AwsEnforcer().untag(bucket.ref, ["Team", "Environment"])

    assert bucket.read() == {}
    assert AwsInventory().get_tags(bucket.ref) == {}


def test_inventory_accepts_names_where_the_parser_may_emit_arns(world):
    world.make_database("ledger")
    world.make_function("billing", {"Team": "payments"})

    assert AwsInventory().get_tags(world.ref("aws.rds.db", "ledger"))["Team"] == "search"
    assert AwsInventory().get_tags(world.ref("aws.lambda.function", "billing")) == {
        "Team": "payments"
    }


def test_inventory_reads_a_nodegroup_named_cluster_slash_nodegroup(world):
    nodegroup = world.make("aws.eks.nodegroup")

    assert (
        AwsInventory().get_tags(world.ref("aws.eks.nodegroup", "prod/workers")) == nodegroup.read()
    )


@pytest.mark.parametrize(("resource_type", "resource_id"), sorted(MISSING.items()))
def test_inventory_raises_resource_gone_for_a_resource_that_does_not_exist(
    world, resource_type, resource_id
):
    with pytest.raises(ResourceGone):
        AwsInventory().get_tags(world.ref(resource_type, resource_id))


def test_a_terminated_instance_is_gone(world):
    [instance] = world.run_instances(tags={"Team": "search"})
    world.client("ec2").terminate_instances(InstanceIds=[instance])

    with pytest.raises(ResourceGone):
        AwsInventory().get_tags(world.ref("aws.ec2.instance", instance))


def test_types_without_a_reader_are_read_through_the_tagging_api_by_arn(world):
    sqs = world.client("sqs")
    url = sqs.create_queue(QueueName="jobs", tags={"Team": "data"})["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]

    assert AwsInventory().get_tags(world.ref("aws.sqs.queue", arn)) == {"Team": "data"}


def test_a_type_without_a_reader_and_an_id_that_is_no_arn_is_unsupported(world):
    with pytest.raises(UnsupportedResource, match=r"no tag reader for aws\.sqs\.queue"):
        AwsInventory().get_tags(world.ref("aws.sqs.queue", "jobs"))
