"""Read a resource's current tags, one reader per resource type, for events that lack them.

Each reader also proves the resource exists (a describe, where the service has one) so that
a resource deleted since its event raises `ResourceGone` instead of looking untagged. A
registry key `aws.<service>.*` serves every type of that service without its own entry (any
EC2 id: volumes, security groups...). Other types fall back to the Resource Groups Tagging
API when their id is an ARN. EC2 DescribeTags and the tagging API cannot tell an untagged
resource from a deleted one, so they answer `{}` for both.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from costplane.adapters.aws import tagging_api
from costplane.adapters.aws.arns import arn_of, is_arn, region_of, resource_name
from costplane.adapters.aws.clients import client, error_code, missing_is_gone
from costplane.engine.ports import ResourceGone, ResourceRef

if TYPE_CHECKING:
    from mypy_boto3_ec2.type_defs import InstanceTypeDef

Reader = Callable[[ResourceRef], dict[str, str]]
T = TypeVar("T")

_READERS: dict[str, Reader] = {}
_GONE_INSTANCE_STATES = frozenset({"shutting-down", "terminated"})
_GONE_NAT_STATES = frozenset({"deleting", "deleted"})


class UnsupportedResource(ValueError):
    """No reader for this resource type, and its id is not an ARN the tagging API could read."""


def tag_dict(pairs: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """`[{"Key": k, "Value": v}]` (EC2, S3, RDS, SageMaker, ELB) → `{k: v}`."""
    return {str(pair["Key"]): str(pair.get("Value", "")) for pair in pairs}


def for_type(registry: Mapping[str, T], resource_type: str) -> T | None:
    """The entry for `resource_type`, else its service's `aws.<service>.*` entry."""
    found = registry.get(resource_type)
    if found is None:
        found = registry.get(resource_type.rpartition(".")[0] + ".*")
    return found


def _reads(*resource_types: str) -> Callable[[Reader], Reader]:
    def register(read: Reader) -> Reader:
        for resource_type in resource_types:
            _READERS[resource_type] = read
        return read

    return register


def _gone(ref: ResourceRef) -> ResourceGone:
    return ResourceGone(f"{ref.resource_type} {ref.resource_id} does not exist")


def describe_instance(ref: ResourceRef) -> InstanceTypeDef:
    """The EC2 instance; ResourceGone when it does not exist or is being terminated."""
    with missing_is_gone(ref):
        reservations = client("ec2", region_of(ref)).describe_instances(
            InstanceIds=[ref.resource_id]
        )["Reservations"]
    for reservation in reservations:
        for instance in reservation.get("Instances", []):
            if instance.get("State", {}).get("Name") not in _GONE_INSTANCE_STATES:
                return instance
    raise _gone(ref)


@_reads("aws.ec2.instance")
def _ec2_instance(ref: ResourceRef) -> dict[str, str]:
    return tag_dict(describe_instance(ref).get("Tags", []))


@_reads("aws.ec2.*")
def _ec2_resource(ref: ResourceRef) -> dict[str, str]:
    pages = (
        client("ec2", region_of(ref))
        .get_paginator("describe_tags")
        .paginate(Filters=[{"Name": "resource-id", "Values": [ref.resource_id]}])
    )
    return tag_dict(tag for page in pages for tag in page["Tags"])


@_reads("aws.ec2.natgateway")
def _nat_gateway(ref: ResourceRef) -> dict[str, str]:
    with missing_is_gone(ref):
        gateways = client("ec2", region_of(ref)).describe_nat_gateways(
            NatGatewayIds=[ref.resource_id]
        )["NatGateways"]
    for gateway in gateways:
        if gateway.get("State") not in _GONE_NAT_STATES:
            return tag_dict(gateway.get("Tags", []))
    raise _gone(ref)


@_reads("aws.s3.bucket")
def bucket_tags(ref: ResourceRef) -> dict[str, str]:
    try:
        with missing_is_gone(ref):
            response = client("s3", region_of(ref)).get_bucket_tagging(Bucket=resource_name(ref))
    except Exception as exc:
        if error_code(exc) == "NoSuchTagSet":  # a bucket that never had tags
            return {}
        raise
    return tag_dict(response["TagSet"])


@_reads("aws.rds.db")
def _rds_instance(ref: ResourceRef) -> dict[str, str]:
    with missing_is_gone(ref):
        databases = client("rds", region_of(ref)).describe_db_instances(
            DBInstanceIdentifier=resource_name(ref)
        )["DBInstances"]
    return tag_dict(databases[0].get("TagList", []))


@_reads("aws.lambda.function")
def _lambda_function(ref: ResourceRef) -> dict[str, str]:
    functions = client("lambda", region_of(ref))
    with missing_is_gone(ref):
        tags = functions.list_tags(Resource=arn_of(ref, functions.meta.region_name))["Tags"]
    return dict(tags)


_SAGEMAKER_ARNS: dict[str, Callable[[Any, str], str]] = {
    "aws.sagemaker.endpoint": lambda sm, name: sm.describe_endpoint(EndpointName=name)[
        "EndpointArn"
    ],
    "aws.sagemaker.training-job": lambda sm, name: sm.describe_training_job(TrainingJobName=name)[
        "TrainingJobArn"
    ],
}


def sagemaker_arn(ref: ResourceRef) -> str:
    """The ARN SageMaker itself reports (it lower-cases names in ARNs); proves existence."""
    with missing_is_gone(ref):
        return _SAGEMAKER_ARNS[ref.resource_type](
            client("sagemaker", region_of(ref)), resource_name(ref)
        )


@_reads(*_SAGEMAKER_ARNS)
def _sagemaker(ref: ResourceRef) -> dict[str, str]:
    arn = sagemaker_arn(ref)
    pages = client("sagemaker", region_of(ref)).get_paginator("list_tags")
    return tag_dict(tag for page in pages.paginate(ResourceArn=arn) for tag in page["Tags"])


def eks_cluster(ref: ResourceRef) -> dict[str, Any]:
    with missing_is_gone(ref):
        cluster: dict[str, Any] = client("eks", region_of(ref)).describe_cluster(
            name=resource_name(ref)
        )["cluster"]
    return cluster


def eks_nodegroup(ref: ResourceRef) -> dict[str, Any]:
    """A nodegroup named `cluster/nodegroup`, or by its ARN (`…:nodegroup/cluster/ng/uuid`)."""
    cluster, _, rest = resource_name(ref).partition("/")
    nodegroup = rest.split("/")[0]
    if not (cluster and nodegroup):
        raise ValueError(f"nodegroup id {ref.resource_id!r} is not cluster/nodegroup or an ARN")
    with missing_is_gone(ref):
        found: dict[str, Any] = client("eks", region_of(ref)).describe_nodegroup(
            clusterName=cluster, nodegroupName=nodegroup
        )["nodegroup"]
    return found


@_reads("aws.eks.cluster")
def _eks_cluster(ref: ResourceRef) -> dict[str, str]:
    return dict(eks_cluster(ref).get("tags", {}))


@_reads("aws.eks.nodegroup")
def _eks_nodegroup(ref: ResourceRef) -> dict[str, str]:
    return dict(eks_nodegroup(ref).get("tags", {}))


@_reads("aws.elbv2.loadbalancer")
def _load_balancer(ref: ResourceRef) -> dict[str, str]:
    with missing_is_gone(ref):
        descriptions = client("elbv2", region_of(ref)).describe_tags(
            ResourceArns=[ref.resource_id]
        )["TagDescriptions"]
    if not descriptions:
        raise _gone(ref)
    return tag_dict(descriptions[0].get("Tags", []))


@_reads("aws.bedrock.*")
def bedrock_tags(ref: ResourceRef) -> dict[str, str]:
    """Bedrock's own tag list (`{key, value}` pairs); a deleted resource raises ResourceGone."""
    with missing_is_gone(ref):
        found = client("bedrock", region_of(ref)).list_tags_for_resource(
            resourceARN=ref.resource_id
        )
    return {str(t["key"]): str(t.get("value", "")) for t in found.get("tags", [])}


def _tagging_api(ref: ResourceRef) -> dict[str, str]:
    if not is_arn(ref.resource_id):
        raise UnsupportedResource(
            f"no tag reader for {ref.resource_type}, and {ref.resource_id!r} is not an ARN"
        )
    return tagging_api.read(ref)


def read_tags(ref: ResourceRef) -> dict[str, str]:
    return (for_type(_READERS, ref.resource_type) or _tagging_api)(ref)


class AwsInventory:
    """Inventory port on AWS: one API call per read (two for SageMaker), warm clients."""

    def get_tags(self, ref: ResourceRef) -> dict[str, str]:
        return read_tags(ref)
