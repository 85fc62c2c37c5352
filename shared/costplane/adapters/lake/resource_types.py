"""costplane resource types for FOCUS rows, from their ResourceId, so that a budget scoped to
`aws.ec2.*` or `azure.compute.virtualmachine` covers the same resources in the bill as in events.

DuckDB reduces each ResourceId to a low-cardinality *stem* (the id with resource names
dropped); Python maps each distinct stem once. Rows without a ResourceId (tax, support,
most fees) have no type and are outside every budget whose scope names a resource type.

    arn:aws:rds:us-east-1:1:db:orders                    arn|rds|db           aws.rds.db
    arn:aws:sqs:us-east-1:1:jobs                         arn|sqs|             aws.sqs.queue
    i-0abc12345678901234 (CUR line_item_resource_id)     ec2|i                aws.ec2.instance
    /subscriptions/s/…/providers/Microsoft.Compute/virtualMachines/vm1
                                                         arm|microsoft.compute/virtualmachines
                                                                              azure.compute.virtualmachine
    //compute.googleapis.com/projects/p/zones/z/instances/i
                                                         gcp|compute|instances
                                                                              gcp.compute.instance
"""

from __future__ import annotations

from functools import lru_cache

from costplane.domain.naming import singular

STEM_SQL = r"""
CASE
  WHEN ResourceId LIKE 'arn:%' THEN
    'arn|' || regexp_extract(ResourceId, '^arn:[^:]*:([^:]*):', 1)
    || '|' || regexp_extract(ResourceId, '^arn:[^:]*:[^:]*:[^:]*:[^:]*:([^:/]*)[:/]', 1)
    || CASE WHEN regexp_matches(ResourceId, ':loadbalancer/(app|net|gwy)/') THEN '|v2' ELSE '' END
  WHEN lower(ResourceId) LIKE '/subscriptions/%/providers/%' THEN
    'arm|' || regexp_replace(
      regexp_replace(lower(ResourceId), '^.*/providers/', ''), '/([^/]+)/[^/]+', '/\1', 'g')
  WHEN ResourceId LIKE '//%.googleapis.com/%' THEN
    'gcp|' || regexp_extract(ResourceId, '^//([^./]+)\.googleapis\.com/', 1)
    || '|' || regexp_extract(ResourceId, '/([^/]+)/[^/]+$', 1)
  WHEN regexp_matches(ResourceId, '^[a-z]+-[0-9a-z]{8}([0-9a-z]{9})?$') THEN
    'ec2|' || split_part(ResourceId, '-', 1)
END
"""

# EC2 id prefixes that bills carry as ResourceId, as the ARN resource type they stand for.
_EC2_IDS = {
    "i": "instance",
    "vol": "volume",
    "snap": "snapshot",
    "nat": "natgateway",
    "eipalloc": "elastic-ip",
    "vpce": "vpc-endpoint",
}
_AWS_SERVICES = {"elasticloadbalancing": "elb"}
# Services whose ARNs end in a bare name, without a resource-type segment.
_AWS_TYPELESS = {"sqs": "queue", "sns": "topic", "s3": "bucket"}
_GCP_SERVICES = {"cloudsql": "sql", "sqladmin": "sql"}


@lru_cache(maxsize=4096)
def type_of_stem(stem: str | None) -> str | None:
    """The costplane resource type a stem stands for; None when it cannot say."""
    if not stem:
        return None
    kind, _, rest = stem.partition("|")
    parts = rest.split("|")
    if kind == "arn" and len(parts) >= 2 and parts[0]:
        service = "elbv2" if parts[2:] == ["v2"] else _AWS_SERVICES.get(parts[0], parts[0])
        resource = _AWS_TYPELESS.get(service) or parts[1]
        return f"aws.{service}.{resource}" if resource else None
    if kind == "ec2" and parts[0] in _EC2_IDS:
        return f"aws.ec2.{_EC2_IDS[parts[0]]}"
    if kind == "arm":
        namespace, *types = rest.split("/")
        if namespace and types:
            provider = namespace.removeprefix("microsoft.")
            return ".".join(("azure", provider, *(singular(t) for t in types)))
    if kind == "gcp" and len(parts) == 2 and all(parts):
        return f"gcp.{_GCP_SERVICES.get(parts[0], parts[0])}.{singular(parts[1])}"
    return None
