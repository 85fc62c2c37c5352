"""ARNs from what an event names: parsers emit names or ARNs, some APIs accept only ARNs."""

from __future__ import annotations

from costplane.engine.ports import ResourceRef

_PARTITIONS = (("cn-", "aws-cn"), ("us-gov-", "aws-us-gov"), ("us-iso-", "aws-iso"))

_FORMATS: dict[str, str] = {
    "aws.rds.db": "arn:{partition}:rds:{region}:{account}:db:{name}",
    "aws.lambda.function": "arn:{partition}:lambda:{region}:{account}:function:{name}",
    "aws.eks.cluster": "arn:{partition}:eks:{region}:{account}:cluster/{name}",
}


def partition(region: str) -> str:
    return next((p for prefix, p in _PARTITIONS if region.startswith(prefix)), "aws")


def is_arn(value: str) -> bool:
    return value.startswith("arn:")


def region_of(ref: ResourceRef) -> str | None:
    """The ref's region, else the region inside its ARN id; None means the client default."""
    if ref.region or not is_arn(ref.resource_id):
        return ref.region
    return ref.resource_id.split(":", 4)[3] or None


def resource_name(ref: ResourceRef) -> str:
    """The id a name-addressed API wants: the id itself, or the name part of an ARN id.

    `arn:aws:rds:…:db:orders` → `orders`; `arn:aws:eks:…:cluster/prod` → `prod`.
    """
    if not is_arn(ref.resource_id):
        return ref.resource_id
    resource = ref.resource_id.split(":", 5)[5]
    cut = min((i for i in (resource.find("/"), resource.find(":")) if i >= 0), default=-1)
    return resource[cut + 1 :]


def arn_of(ref: ResourceRef, region: str) -> str:
    """The ARN of `ref`: its id when that is an ARN, else built from account, region and name.

    `region` is the region the client resolved, so a ref without one still gets a full ARN.
    """
    if is_arn(ref.resource_id):
        return ref.resource_id
    try:
        template = _FORMATS[ref.resource_type]
    except KeyError:
        raise ValueError(f"cannot build an ARN for {ref.resource_type} {ref.resource_id}") from None
    return template.format(
        partition=partition(region), region=region, account=ref.account, name=ref.resource_id
    )
