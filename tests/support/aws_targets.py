"""A real resource in moto of every type costplane's AWS actions act on.

`tests.integration.aws_adapters.conftest.World` makes the taggable ones; Auto Scaling groups
and IAM principals, which only the capacity actions touch, are made here.
"""

from __future__ import annotations

from collections.abc import Callable

from costplane.engine.ports import ResourceRef
from tests.integration.aws_adapters.conftest import _FACTORIES, AMI, World


def _group(world: World) -> ResourceRef:
    """A group of min 1, max 4, desired 2 (what a throttle takes to 0 and a resume restores)."""
    asg = world.client("autoscaling")
    asg.create_launch_configuration(
        LaunchConfigurationName="web", ImageId=AMI, InstanceType="t3.micro"
    )
    asg.create_auto_scaling_group(
        AutoScalingGroupName="web",
        LaunchConfigurationName="web",
        MinSize=1,
        MaxSize=4,
        DesiredCapacity=2,
        AvailabilityZones=[f"{world.region}a"],
    )
    found = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["web"])
    return world.ref("aws.autoscaling.group", found["AutoScalingGroups"][0]["AutoScalingGroupARN"])


def _role(world: World) -> ResourceRef:
    return world.ref("aws.iam.role", world.role("trainer", "sagemaker.amazonaws.com"))


def _user(world: World) -> ResourceRef:
    created = world.client("iam").create_user(UserName="analyst")
    return world.ref("aws.iam.user", created["User"]["Arn"])


_MAKERS: dict[str, Callable[[World], ResourceRef]] = {
    **{kind: (lambda w, k=kind: w.make(k).ref) for kind in _FACTORIES},
    "aws.autoscaling.group": _group,
    "aws.iam.role": _role,
    "aws.iam.user": _user,
}
RESOURCE_TYPES = sorted(_MAKERS)


def make(world: World, resource_type: str) -> ResourceRef:
    return _MAKERS[resource_type](world)
