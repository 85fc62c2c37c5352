"""Costplane's policy actions on AWS, and a real resource in moto of every type they act on.

`tests.integration.aws_adapters.conftest.World` makes the taggable ones; Auto Scaling groups
and IAM principals, which only the capacity actions touch, are made here, and Bedrock's inference
profiles and provisioned throughput on tests.support.fake_bedrock (moto has neither).
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext, suppress

from costplane.adapters.aws.enforcer import AwsEnforcer
from costplane.domain.decisions import ActionKind
from costplane.engine.ports import ResourceGone, ResourceRef
from costplane.engine.undo import Undo
from costplane.policy.plugins import load_plugins
from costplane.policy.registry import ACTIONS
from tests.integration.aws_adapters.conftest import _FACTORIES, AMI, UNTAGGABLE_IN_MOTO, World
from tests.support.fake_bedrock import FAKE

load_plugins()
ON_AWS = sorted(key for key, action in ACTIONS.items() if action.permissions.get("aws"))
"""The registered policy actions that call AWS (they declare `permissions["aws"]`)."""


def kind_of(key: str) -> ActionKind:
    """The kind the enforcer runs for policy action `key`: a mark is a tag (its op runs
    later, as an action of its own)."""
    return ActionKind.TAG if key == "mark-for-op" else ActionKind(key)


def act(enforcer: AwsEnforcer, kind: ActionKind, ref: ResourceRef) -> Undo:
    """Run `kind` on `ref` as the executor does; the state that undoes it ({} for a tag)."""
    if kind is ActionKind.TAG:
        enforcer.tag(ref, {"costplane-reviewed": "true"})
        return {}
    undo: Undo = getattr(enforcer, kind.value)(ref)
    return undo


def unless_moto_lacks(resource_type: str) -> AbstractContextManager[None]:
    """moto cannot tag EKS nodegroups: the call is made (and recorded), then answered 404."""
    return suppress(ResourceGone) if resource_type in UNTAGGABLE_IN_MOTO else nullcontext()


def auto_scaling_group(world: World) -> str:
    """A group `web` of min 1, max 4, desired 2, running its two instances; its ARN."""
    asg = world.client("autoscaling")
    asg.create_launch_configuration(
        LaunchConfigurationName="web", ImageId=AMI, InstanceType="t3.micro"
    )
    team = {"ResourceId": "web", "ResourceType": "auto-scaling-group", "Key": "Team"}
    asg.create_auto_scaling_group(
        AutoScalingGroupName="web",
        LaunchConfigurationName="web",
        MinSize=1,
        MaxSize=4,
        DesiredCapacity=2,
        AvailabilityZones=[f"{world.region}a"],
        Tags=[team | {"Value": "search", "PropagateAtLaunch": True}],
    )
    found = asg.describe_auto_scaling_groups(AutoScalingGroupNames=["web"])
    return str(found["AutoScalingGroups"][0]["AutoScalingGroupARN"])


def _role(world: World) -> ResourceRef:
    return world.ref("aws.iam.role", world.role("trainer", "sagemaker.amazonaws.com"))


def _user(world: World) -> ResourceRef:
    created = world.client("iam").create_user(UserName="analyst")
    return world.ref("aws.iam.user", created["User"]["Arn"])


SONNET = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-sonnet-20241022-v2:0"


def _profile(world: World) -> ResourceRef:
    arn = FAKE.add_profile("search-claude", SONNET, {"Team": "search"})
    return world.ref("aws.bedrock.application-inference-profile", arn)


def _throughput(world: World) -> ResourceRef:
    arn = FAKE.add_throughput("search-pt", SONNET, 1, {"Team": "search"})
    return world.ref("aws.bedrock.provisioned-model", arn)


_MAKERS: dict[str, Callable[[World], ResourceRef]] = {
    **{kind: (lambda w, k=kind: w.make(k).ref) for kind in _FACTORIES},
    "aws.autoscaling.group": lambda w: w.ref("aws.autoscaling.group", auto_scaling_group(w)),
    "aws.iam.role": _role,
    "aws.iam.user": _user,
    "aws.bedrock.application-inference-profile": _profile,
    "aws.bedrock.provisioned-model": _throughput,
}
RESOURCE_TYPES = sorted(_MAKERS)


def make(world: World, resource_type: str) -> ResourceRef:
    return _MAKERS[resource_type](world)
