"""AwsEnforcer stops and quarantines real resources, and doing it twice changes nothing."""

from __future__ import annotations

import pytest

from costplane.adapters.aws.enforcer import (
    ISOLATION_GROUP,
    QUARANTINE_CONCURRENCY_TAG,
    QUARANTINE_SGS_TAG,
    AwsEnforcer,
    UnsupportedAction,
)
from costplane.domain.decisions import ActionKind
from costplane.engine.ports import ResourceGone


@pytest.fixture
def enforcer():
    return AwsEnforcer()


@pytest.fixture
def guarded(world):
    """An instance in a VPC subnet whose network interface has two security groups.

    The groups are set on the interface, as launch templates do: moto reports an instance
    launched with `SecurityGroupIds` as keeping them on every interface whatever the interface
    is later given, which real EC2 does not.
    """
    ec2 = world.client("ec2")
    vpc, subnets = world.network()
    groups = [
        ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc)["GroupId"]
        for name in ("web", "ssh")
    ]
    [instance] = world.run_instances(
        NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": subnets[0], "Groups": groups}]
    )
    return world.ref("aws.ec2.instance", instance), vpc, groups


def interface_groups(world, instance_id):
    return [
        sorted(group["GroupId"] for group in eni["Groups"])
        for eni in world.describe_instance(instance_id)["NetworkInterfaces"]
    ]


def isolation_groups(world, vpc):
    return world.client("ec2").describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc]},
            {"Name": "group-name", "Values": [ISOLATION_GROUP]},
        ]
    )["SecurityGroups"]


def test_stop_leaves_the_instance_stopped(world, enforcer):
    [instance] = world.run_instances()

    enforcer.stop(world.ref("aws.ec2.instance", instance))

    assert world.instance_state(instance) == "stopped"


def test_stopping_a_stopped_instance_succeeds(world, enforcer):
    [instance] = world.run_instances()
    ref = world.ref("aws.ec2.instance", instance)

    enforcer.stop(ref)
    enforcer.stop(ref)

    assert world.instance_state(instance) == "stopped"


def test_stopping_a_missing_instance_raises_resource_gone(world, enforcer):
    with pytest.raises(ResourceGone):
        enforcer.stop(world.ref("aws.ec2.instance", "i-0123456789abcdef0"))


@pytest.mark.parametrize("by", ["identifier", "arn"])
def test_stop_stops_a_database_and_a_second_stop_is_a_no_op(world, enforcer, by):
    arn = world.make_database("orders")
    ref = world.ref("aws.rds.db", arn if by == "arn" else "orders")

    enforcer.stop(ref)
    enforcer.stop(ref)  # RDS refuses to stop a stopped instance; the enforcer sees it is done

    assert world.db_status("orders") == "stopped"


def test_quarantine_moves_the_instance_into_an_isolation_group_without_rules(
    world, enforcer, guarded
):
    ref, vpc, _ = guarded

    enforcer.quarantine(ref)

    [isolation] = isolation_groups(world, vpc)
    assert interface_groups(world, ref.resource_id) == [[isolation["GroupId"]]]
    assert isolation["IpPermissions"] == []
    assert isolation["IpPermissionsEgress"] == []


def test_quarantine_records_the_previous_groups_of_each_interface(world, enforcer, guarded):
    ref, _, groups = guarded
    [eni] = world.describe_instance(ref.resource_id)["NetworkInterfaces"]

    enforcer.quarantine(ref)

    recorded = world.ec2_tags(ref.resource_id)[QUARANTINE_SGS_TAG]
    interface, _, ids = recorded.partition("=")
    assert interface == eni["NetworkInterfaceId"]
    assert sorted(ids.split(",")) == sorted(groups)


def test_quarantining_twice_keeps_the_original_groups_recorded(world, enforcer, guarded):
    ref, _, _ = guarded
    enforcer.quarantine(ref)
    recorded = world.ec2_tags(ref.resource_id)[QUARANTINE_SGS_TAG]

    enforcer.quarantine(ref)

    assert world.ec2_tags(ref.resource_id)[QUARANTINE_SGS_TAG] == recorded


def test_instances_of_one_vpc_share_one_isolation_group(world, enforcer, guarded):
    ref, vpc, groups = guarded
    ec2 = world.client("ec2")
    subnet = world.describe_instance(ref.resource_id)["SubnetId"]
    [other] = world.run_instances(
        NetworkInterfaces=[{"DeviceIndex": 0, "SubnetId": subnet, "Groups": groups[:1]}]
    )

    enforcer.quarantine(ref)
    enforcer.quarantine(world.ref("aws.ec2.instance", other))

    [isolation] = isolation_groups(world, vpc)
    assert interface_groups(world, other) == [[isolation["GroupId"]]]
    assert ec2.describe_security_groups(GroupIds=[isolation["GroupId"]])["SecurityGroups"]


def test_release_restores_the_recorded_groups_and_drops_the_record(world, enforcer, guarded):
    ref, _, groups = guarded
    enforcer.quarantine(ref)

    enforcer.release_quarantine(ref)

    assert interface_groups(world, ref.resource_id) == [sorted(groups)]
    assert QUARANTINE_SGS_TAG not in world.ec2_tags(ref.resource_id)


def test_quarantine_isolates_and_release_restores_every_interface(world, enforcer, guarded):
    ref, vpc, groups = guarded
    ec2 = world.client("ec2")
    subnet = world.describe_instance(ref.resource_id)["SubnetId"]
    second = ec2.create_network_interface(SubnetId=subnet, Groups=groups[1:])
    ec2.attach_network_interface(
        NetworkInterfaceId=second["NetworkInterface"]["NetworkInterfaceId"],
        InstanceId=ref.resource_id,
        DeviceIndex=1,
    )
    before = interface_groups(world, ref.resource_id)

    enforcer.quarantine(ref)
    [isolation] = isolation_groups(world, vpc)
    isolated = interface_groups(world, ref.resource_id)
    enforcer.release_quarantine(ref)

    assert sorted(before) == sorted([sorted(groups), groups[1:]])
    assert isolated == [[isolation["GroupId"]]] * 2
    assert sorted(interface_groups(world, ref.resource_id)) == sorted(before)


def test_releasing_an_instance_never_quarantined_changes_nothing(world, enforcer, guarded):
    ref, _, groups = guarded

    enforcer.release_quarantine(ref)

    assert interface_groups(world, ref.resource_id) == [sorted(groups)]


def function_concurrency(world, name):
    found = world.client("lambda").get_function_concurrency(FunctionName=name)
    return found.get("ReservedConcurrentExecutions")


def test_quarantine_reserves_zero_concurrency_for_a_function(world, enforcer):
    arn = world.make_function("ingest", {})

    enforcer.quarantine(world.ref("aws.lambda.function", arn))

    assert function_concurrency(world, "ingest") == 0


@pytest.mark.parametrize("reserved", [None, 5])
def test_release_restores_the_functions_previous_concurrency(world, enforcer, reserved):
    arn = world.make_function("ingest", {"Team": "data"})
    if reserved is not None:
        world.client("lambda").put_function_concurrency(
            FunctionName="ingest", ReservedConcurrentExecutions=reserved
        )
    ref = world.ref("aws.lambda.function", arn)
    enforcer.quarantine(ref)
    enforcer.quarantine(ref)

    enforcer.release_quarantine(ref)

    assert function_concurrency(world, "ingest") == reserved
    tags = world.client("lambda").get_function(FunctionName="ingest")["Tags"]
    assert tags == {"Team": "data"}
    assert QUARANTINE_CONCURRENCY_TAG not in tags


@pytest.mark.parametrize(
    ("kind", "resource_type", "supported"),
    [
        (ActionKind.STOP, "aws.ec2.instance", True),
        (ActionKind.STOP, "aws.rds.db", True),
        (ActionKind.STOP, "aws.s3.bucket", False),
        (ActionKind.STOP, "aws.sagemaker.endpoint", False),
        (ActionKind.QUARANTINE, "aws.ec2.instance", True),
        (ActionKind.QUARANTINE, "aws.lambda.function", True),
        (ActionKind.QUARANTINE, "aws.ec2.volume", False),
        (ActionKind.NOTIFY, "aws.anything.at-all", True),
    ],
)
def test_enforcer_supports_stop_and_quarantine_only_where_they_exist(
    enforcer, kind, resource_type, supported
):
    assert enforcer.supports(kind, resource_type) is supported


def test_an_unsupported_action_raises_without_calling_aws(world, enforcer):
    with pytest.raises(UnsupportedAction, match=r"stop is not supported on aws\.s3\.bucket"):
        enforcer.stop(world.ref("aws.s3.bucket", "costplane-ledger"))
