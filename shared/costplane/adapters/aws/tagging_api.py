"""The Resource Groups Tagging API: read, tag and untag any taggable AWS resource by its ARN.

One API for every service that supports tagging, so a governed type needs no handler of its
own to be tagged: per-service handlers (`enforcer`) remain only where this API cannot serve
(EC2 ids, S3 bucket names, SageMaker's lower-cased ARNs) or where a service also proves the
resource exists. `TagResources` and `UntagResources` answer 200 and report failures per ARN
in `FailedResourcesMap`; those are raised here, so a failed tag is never recorded as done.
`GetResources` cannot tell an untagged resource from a deleted one: both read as `{}`.

IAM: `tag:GetResources`, `tag:TagResources`, `tag:UntagResources`, plus each service's own
tagging permission (`ec2:CreateTags`, `dynamodb:TagResource`, ...) which the API calls for us.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from costplane.adapters.aws.arns import arn_of, region_of
from costplane.adapters.aws.clients import client
from costplane.engine.ports import ResourceRef

SERVICE = "resourcegroupstaggingapi"


class TaggingFailed(RuntimeError):
    """The Tagging API reported a failure for the resource (in `FailedResourcesMap`)."""


def arn_and_region(ref: ResourceRef) -> tuple[str, str | None]:
    """The ref's ARN (built when its id is a name) and the region to call."""
    region = region_of(ref)
    api = client(SERVICE, region)
    return arn_of(ref, api.meta.region_name), region


def read(ref: ResourceRef) -> dict[str, str]:
    arn, region = arn_and_region(ref)
    mappings = client(SERVICE, region).get_resources(ResourceARNList=[arn])[
        "ResourceTagMappingList"
    ]
    if not mappings:
        return {}
    return {str(t["Key"]): str(t.get("Value", "")) for t in mappings[0].get("Tags", [])}


def tag(ref: ResourceRef, tags: Mapping[str, str]) -> None:
    if not tags:
        return
    arn, region = arn_and_region(ref)
    response = client(SERVICE, region).tag_resources(ResourceARNList=[arn], Tags=dict(tags))
    _raise_failures(response, "tag")


def untag(ref: ResourceRef, keys: Iterable[str]) -> None:
    wanted = list(keys)
    if not wanted:
        return
    arn, region = arn_and_region(ref)
    response = client(SERVICE, region).untag_resources(ResourceARNList=[arn], TagKeys=wanted)
    _raise_failures(response, "untag")


def _raise_failures(response: Mapping[str, Any], verb: str) -> None:
    failed = response.get("FailedResourcesMap") or {}
    if failed:
        reasons = "; ".join(
            f"{arn}: {info.get('ErrorCode')} {info.get('ErrorMessage', '')}".strip()
            for arn, info in failed.items()
        )
        raise TaggingFailed(f"the Tagging API could not {verb} {reasons}")
