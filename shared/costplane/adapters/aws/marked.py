"""The resources carrying the mark tag, per region: Resource Groups Tagging API `GetResources`
with a tag filter, 100 resources and their tags per call.

Each ARN is turned into the (type, id) pair the enforcer and the inventory address it by, as
the CloudTrail parsers name it: EC2 and S3 by id or name, other services by ARN. A pagination
token lasts 15 minutes (PaginationTokenExpiredException): a sweep resuming later than that
restarts the region.
"""

from __future__ import annotations

from typing import Any

from costplane.adapters.aws.clients import client, error_code
from costplane.adapters.aws.cloudtrail_fields import type_of_ec2_id
from costplane.adapters.aws.inventory import tag_dict
from costplane.domain.events import Provider
from costplane.engine.ports import ResourceRef
from costplane.tagging.ports import CursorExpired, MarkedResource, MarkPage

PAGE_SIZE = 100  # the API's maximum
_BY_ARN = {
    ("rds", "db"): "aws.rds.db",
    ("lambda", "function"): "aws.lambda.function",
    ("eks", "cluster"): "aws.eks.cluster",
    ("eks", "nodegroup"): "aws.eks.nodegroup",
    ("elasticloadbalancing", "loadbalancer"): "aws.elbv2.loadbalancer",
    ("sagemaker", "endpoint"): "aws.sagemaker.endpoint",
    ("sagemaker", "training-job"): "aws.sagemaker.training-job",
}


def ref_of_arn(arn: str) -> ResourceRef:
    """`arn:aws:ec2:eu-west-1:123:instance/i-1` → aws.ec2.instance `i-1` in eu-west-1."""
    _, _, service, region, account, resource = arn.split(":", 5)
    kind = resource.replace(":", "/").partition("/")[0]
    if service == "ec2":
        resource_id = resource.rpartition("/")[2]
        resource_type = type_of_ec2_id(resource_id)
    elif service == "s3":
        resource_id, resource_type = resource, "aws.s3.bucket"
    else:
        resource_id = arn
        resource_type = _BY_ARN.get((service, kind), f"aws.{service}.{kind}")
    return ResourceRef(
        provider=Provider.AWS,
        account=account,
        region=region or None,
        resource_id=resource_id,
        resource_type=resource_type,
    )


class AwsMarkedResources:
    """MarkFinder: the resources tagged `tag` (any value) in each of `regions`."""

    def __init__(self, tag: str, regions: list[str]) -> None:
        self.tag = tag
        self.regions = regions

    def scopes(self) -> list[str]:
        return list(self.regions)

    def page(self, scope: str, token: str | None) -> MarkPage:
        request: dict[str, Any] = {
            "TagFilters": [{"Key": self.tag}],
            "ResourcesPerPage": PAGE_SIZE,
        }
        if token:
            request["PaginationToken"] = token
        try:
            answer = client("resourcegroupstaggingapi", scope).get_resources(**request)
        except Exception as exc:
            if error_code(exc) == "PaginationTokenExpiredException":
                raise CursorExpired(str(exc)) from exc
            raise
        found = [
            MarkedResource(ref_of_arn(item["ResourceARN"]), tag_dict(item.get("Tags", [])))
            for item in answer.get("ResourceTagMappingList", [])
        ]
        return MarkPage(found, answer.get("PaginationToken") or None)
