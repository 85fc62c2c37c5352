"""AwsEnforcer.throttle empties Auto Scaling groups and Lambda concurrency; resume restores them."""

from __future__ import annotations

from typing import Any

import pytest

from costplane.adapters.aws.enforcer import AwsEnforcer
from costplane.domain.decisions import ActionKind
from costplane.engine.ports import ResourceGone
from tests.integration.aws_capacity.conftest import Group, World

RECORD = "costplane-throttled"


def describe(world: World, name: str = "web") -> dict[str, Any]:
    groups = world.client("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[name])
    group: dict[str, Any] = groups["AutoScalingGroups"][0]
    return group


def sizes(world: World) -> tuple[int, int, int, int]:
    group = describe(world)
    return group["MinSize"], group["MaxSize"], group["DesiredCapacity"], len(group["Instances"])


def group_tags(world: World) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in describe(world)["Tags"]}


@pytest.fixture(params=["name", "arn"])
def group_ref(request: pytest.FixtureRequest, world: World, group: Group) -> Any:
    return world.ref("aws.autoscaling.group", group.name if request.param == "name" else group.arn)


def test_throttle_empties_the_group_and_returns_its_sizes(world, enforcer, group_ref):
    undo = enforcer.throttle(group_ref)

    assert undo == {"min": "1", "max": "4", "desired": "2"}
    assert sizes(world) == (0, 0, 0, 0)


def test_throttle_records_the_sizes_on_the_group(world, enforcer, group_ref):
    enforcer.throttle(group_ref)

    assert group_tags(world) == {"Team": "search", RECORD: "min=1 max=4 desired=2"}


def test_a_second_throttle_returns_the_first_sizes_not_zeros(world, enforcer, group_ref):
    first = enforcer.throttle(group_ref)

    second = enforcer.throttle(group_ref)

    assert second == first
    assert group_tags(world)[RECORD] == "min=1 max=4 desired=2"
    assert sizes(world) == (0, 0, 0, 0)


def test_a_second_throttle_empties_a_group_someone_scaled_back_up(world, enforcer, group_ref):
    enforcer.throttle(group_ref)
    world.client("autoscaling").update_auto_scaling_group(
        AutoScalingGroupName="web", MinSize=1, MaxSize=2, DesiredCapacity=1
    )

    assert enforcer.throttle(group_ref) == {"min": "1", "max": "4", "desired": "2"}
    assert sizes(world) == (0, 0, 0, 0)


def test_resume_restores_the_sizes_and_drops_the_record(world, enforcer, group_ref):
    undo = enforcer.throttle(group_ref)

    enforcer.resume(group_ref, ActionKind.THROTTLE, undo)

    assert sizes(world) == (1, 4, 2, 2)
    assert group_tags(world) == {"Team": "search"}


def test_resume_without_the_audit_log_reads_the_record(world, enforcer, group_ref):
    enforcer.throttle(group_ref)

    enforcer.resume(group_ref, ActionKind.THROTTLE, {})

    assert sizes(world) == (1, 4, 2, 2)
    assert RECORD not in group_tags(world)


def test_resuming_twice_changes_nothing_more(world, enforcer, group_ref):
    undo = enforcer.throttle(group_ref)
    enforcer.resume(group_ref, ActionKind.THROTTLE, undo)

    enforcer.resume(group_ref, ActionKind.THROTTLE, undo)
    enforcer.resume(group_ref, ActionKind.THROTTLE, {})

    assert sizes(world) == (1, 4, 2, 2)


def test_throttling_a_missing_group_raises_resource_gone(world, enforcer):
    with pytest.raises(ResourceGone):
        enforcer.throttle(world.ref("aws.autoscaling.group", "nope"))


# Lambda --------------------------------------------------------------------------------------


def concurrency(world: World, name: str = "ingest") -> int | None:
    found = world.client("lambda").get_function_concurrency(FunctionName=name)
    return found.get("ReservedConcurrentExecutions")


def function_tags(world: World, name: str = "ingest") -> dict[str, str]:
    return dict(world.client("lambda").get_function(FunctionName=name).get("Tags", {}))


@pytest.fixture(params=[None, 5], ids=["unreserved", "reserved-5"])
def function(request: pytest.FixtureRequest, world: World) -> tuple[Any, int | None]:
    arn = world.make_function("ingest", {"Team": "data"})
    if request.param is not None:
        world.client("lambda").put_function_concurrency(
            FunctionName="ingest", ReservedConcurrentExecutions=request.param
        )
    return world.ref("aws.lambda.function", arn), request.param


def test_throttle_reserves_zero_concurrency_and_returns_the_previous(world, enforcer, function):
    ref, reserved = function

    undo = enforcer.throttle(ref)

    assert undo == {"concurrency": "unreserved" if reserved is None else str(reserved)}
    assert concurrency(world) == 0
    assert function_tags(world)[RECORD] == f"concurrency={undo['concurrency']}"


def test_a_second_function_throttle_keeps_the_first_record(world, enforcer, function):
    ref, _ = function
    first = enforcer.throttle(ref)

    assert enforcer.throttle(ref) == first
    assert function_tags(world)[RECORD] == f"concurrency={first['concurrency']}"


@pytest.mark.parametrize("from_log", [True, False], ids=["from-audit-log", "from-record"])
def test_resume_restores_the_functions_concurrency(world, enforcer, function, from_log):
    ref, reserved = function
    undo = enforcer.throttle(ref)
    enforcer.throttle(ref)

    enforcer.resume(ref, ActionKind.THROTTLE, undo if from_log else {})

    assert concurrency(world) == reserved
    assert function_tags(world) == {"Team": "data"}


def test_resume_of_a_function_never_throttled_changes_nothing(world, enforcer, function):
    ref, reserved = function

    enforcer.resume(ref, ActionKind.THROTTLE, {})

    assert concurrency(world) == reserved


@pytest.mark.parametrize(
    ("kind", "resource_type", "supported"),
    [
        (ActionKind.THROTTLE, "aws.autoscaling.group", True),
        (ActionKind.THROTTLE, "aws.lambda.function", True),
        (ActionKind.THROTTLE, "aws.ec2.instance", False),
        (ActionKind.SUSPEND, "aws.ec2.instance", True),
        (ActionKind.SUSPEND, "aws.iam.role", True),
        (ActionKind.SUSPEND, "aws.iam.user", True),
        (ActionKind.SUSPEND, "aws.s3.bucket", False),
        (ActionKind.DECOMMISSION, "aws.sagemaker.endpoint", True),
        (ActionKind.DECOMMISSION, "aws.sagemaker.training-job", False),
        (ActionKind.REQUEST_APPROVAL, "aws.anything.at-all", True),
        (ActionKind.ESCALATE, "aws.anything.at-all", True),
    ],
)
def test_supports_the_reversible_actions_where_they_exist(kind, resource_type, supported):
    assert AwsEnforcer().supports(kind, resource_type) is supported
