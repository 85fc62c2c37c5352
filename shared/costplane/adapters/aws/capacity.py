"""Throttle an Auto Scaling group to nothing, keeping its sizes in a `costplane-throttled` tag.

Every reversible AWS action follows `costplane.engine.undo.reversible` (record once, act,
restore from the audit log or the record). EC2 and Lambda handlers live beside their tagging
in `enforcer`, IAM principals in `capacity_iam`, SageMaker endpoints in `capacity_sagemaker`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from costplane.adapters.aws.arns import is_arn, region_of
from costplane.adapters.aws.clients import client, error_code
from costplane.adapters.aws.inventory import tag_dict
from costplane.domain.decisions import ActionKind
from costplane.engine.ports import ResourceGone, ResourceRef
from costplane.engine.undo import TagRecord, Undo, reversible


@contextmanager
def gone_on(ref: ResourceRef, *codes: str) -> Iterator[None]:
    """Raise ResourceGone for the error codes that mean `ref` does not exist."""
    try:
        yield
    except Exception as exc:
        if error_code(exc) in codes:
            raise ResourceGone(f"{ref.resource_type} {ref.resource_id}: {error_code(exc)}") from exc
        raise


# Auto Scaling groups -------------------------------------------------------------------------

_GROUP_MARKER = ":autoScalingGroupName/"


def group_name(ref: ResourceRef) -> str:
    """`arn:aws:autoscaling:…:autoScalingGroup:<uuid>:autoScalingGroupName/<name>` → name."""
    if is_arn(ref.resource_id):
        return ref.resource_id.partition(_GROUP_MARKER)[2] or ref.resource_id
    return ref.resource_id


def _group(ref: ResourceRef) -> dict[str, Any]:
    groups = client("autoscaling", region_of(ref)).describe_auto_scaling_groups(
        AutoScalingGroupNames=[group_name(ref)]
    )["AutoScalingGroups"]
    if not groups:
        raise ResourceGone(f"{ref.resource_type} {ref.resource_id} does not exist")
    group: dict[str, Any] = groups[0]
    return group


def _group_tags(ref: ResourceRef) -> dict[str, str]:
    return tag_dict(_group(ref).get("Tags", []))


def _add_group_tags(ref: ResourceRef, tags: dict[str, str]) -> None:
    name = group_name(ref)
    client("autoscaling", region_of(ref)).create_or_update_tags(
        Tags=[
            {
                "ResourceId": name,
                "ResourceType": "auto-scaling-group",
                "Key": key,
                "Value": value,
                "PropagateAtLaunch": False,
            }
            for key, value in tags.items()
        ]
    )


def _remove_group_tags(ref: ResourceRef, keys: list[str]) -> None:
    name = group_name(ref)
    client("autoscaling", region_of(ref)).delete_tags(
        Tags=[{"ResourceId": name, "ResourceType": "auto-scaling-group", "Key": k} for k in keys]
    )


def _group_sizes(ref: ResourceRef) -> Undo:
    group = _group(ref)
    return {
        "min": str(group["MinSize"]),
        "max": str(group["MaxSize"]),
        "desired": str(group["DesiredCapacity"]),
    }


def _resize_group(ref: ResourceRef, sizes: Mapping[str, str]) -> None:
    if _group_sizes(ref) == sizes:
        return
    client("autoscaling", region_of(ref)).update_auto_scaling_group(
        AutoScalingGroupName=group_name(ref),
        MinSize=int(sizes["min"]),
        MaxSize=int(sizes["max"]),
        DesiredCapacity=int(sizes["desired"]),
    )


_EMPTY_GROUP = {"min": "0", "max": "0", "desired": "0"}

GROUP_THROTTLE = reversible(
    ActionKind.THROTTLE,
    TagRecord(_group_tags, _add_group_tags, _remove_group_tags),
    capture=_group_sizes,
    apply=lambda ref: _resize_group(ref, _EMPTY_GROUP),
    restore=_resize_group,
)
"""Min, max and desired to 0: the group terminates its instances and no scaling policy can
grow it back (a scheduled action that sets a maximum still can) until `resume`."""
