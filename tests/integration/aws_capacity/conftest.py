"""The moto world of the AWS adapter tests, plus the resources only capacity actions need."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from costplane.adapters.aws.enforcer import AwsEnforcer
from tests.integration.aws_adapters.conftest import (  # noqa: F401  (fixtures, by name)
    AMI,
    World,
    _fresh_clients,
    _world_clients,
    pairs,
    world,
)


@pytest.fixture
def enforcer() -> AwsEnforcer:
    return AwsEnforcer()


@dataclass(frozen=True)
class Group:
    name: str
    arn: str


@pytest.fixture
def group(world: World) -> Group:  # noqa: F811  (the imported fixture)
    """An Auto Scaling group of min 1, max 4, desired 2, running its two instances."""
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
        Tags=[
            {
                "ResourceId": "web",
                "ResourceType": "auto-scaling-group",
                "Key": "Team",
                "Value": "search",
                "PropagateAtLaunch": True,
            }
        ],
    )
    found = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["web"])
    return Group("web", found["AutoScalingGroups"][0]["AutoScalingGroupARN"])
