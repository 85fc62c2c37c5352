"""What each supported CloudTrail call did, to which resources: one small extractor per API.

Extractors are looked up by `(eventSource, eventName)`; a few service-agnostic calls
(`TagResource`) also match by name alone. Each returns the resources the call touched as
`Target`s; the record-level fields (id, time, actor, account) are read once, in `cloudtrail`.
The resource-id convention per type is documented in `costplane.adapters.aws.events`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from costplane.adapters.aws.cloudtrail_fields import (
    Record,
    build_arn,
    items,
    join,
    missing,
    mistyped,
    obj,
    optional_tags,
    parse_arn,
    tag_keys,
    tag_map,
    text,
    texts,
    type_of_arn,
    type_of_ec2_id,
)
from costplane.domain.events import Operation


class Scope(NamedTuple):
    """Where the call happened, for ids that must be completed into ARNs."""

    account: str
    region: str


@dataclass(frozen=True, slots=True)
class Target:
    resource_id: str
    resource_type: str
    operation: Operation
    tags: dict[str, str] | None
    removed_tags: tuple[str, ...] = ()


Extractor = Callable[[Record, Scope], Iterable[Target]]

_BY_SOURCE: dict[tuple[str, str], Extractor] = {}
_BY_NAME: dict[str, Extractor] = {}

EC2 = "ec2.amazonaws.com"
LAMBDA = "lambda.amazonaws.com"
SAGEMAKER = "sagemaker.amazonaws.com"
EKS = "eks.amazonaws.com"
RDS = "rds.amazonaws.com"
ELB = "elasticloadbalancing.amazonaws.com"


def find_extractor(source: str, name: str) -> Extractor | None:
    return _BY_SOURCE.get((source, name)) or _BY_NAME.get(name)


def supported_calls() -> list[tuple[str, str]]:
    return sorted(_BY_SOURCE) + sorted(("*", name) for name in _BY_NAME)


def _register(source: str, *names: str) -> Callable[[Extractor], Extractor]:
    def register(extract: Extractor) -> Extractor:
        for name in names:
            _BY_SOURCE[(source, name)] = extract
        return extract

    return register


def _request(record: Record) -> Record:
    return obj(record, "requestParameters")


def _response(record: Record) -> Record:
    return obj(record, "responseElements")


def _request_tags(record: Record, key: str = "tags") -> dict[str, str] | None:
    """Tags on a create call; None only if CloudTrail did not record the request at all."""
    params = record.get("requestParameters")
    if params is None:
        return None
    if not isinstance(params, dict):
        raise mistyped("requestParameters", params, "an object")
    return optional_tags(params, key, "requestParameters")


def _unwrap(section: Record, key: str, path: str) -> tuple[Record, str]:
    """EC2 wraps some calls' bodies in `<Call>Request`/`<Call>Response`; accept both forms."""
    if key in section:
        return obj(section, key, path), join(path, key)
    return section, path


def _ec2_spec_tags(params: Record, resource_type: str) -> dict[str, str]:
    """Tags from EC2 `tagSpecificationSet` for `resource_type`; no spec means untagged."""
    if "tagSpecificationSet" not in params:
        return {}
    path = "requestParameters.tagSpecificationSet.items"
    specs = items(params, "tagSpecificationSet", "requestParameters")
    for index, spec in enumerate(specs):
        if spec.get("resourceType") == resource_type:
            return tag_map(spec.get("tags"), f"{path}[{index}].tags")
    return {}


@_register(EC2, "RunInstances")
def _run_instances(record: Record, scope: Scope) -> Iterator[Target]:
    tags = _ec2_spec_tags(_request(record), "instance")
    instances = items(_response(record), "instancesSet", "responseElements")
    for instance_id in texts(instances, "instanceId", "responseElements.instancesSet.items"):
        yield Target(instance_id, "aws.ec2.instance", Operation.CREATE, tags)


def _instances_changed(operation: Operation) -> Extractor:
    """Terminate/Start/Stop: the instances are listed in the response with their new state."""

    def extract(record: Record, scope: Scope) -> Iterator[Target]:
        instances = items(_response(record), "instancesSet", "responseElements")
        for instance_id in texts(instances, "instanceId", "responseElements.instancesSet.items"):
            yield Target(instance_id, "aws.ec2.instance", operation, None)

    return extract


_register(EC2, "TerminateInstances")(_instances_changed(Operation.DELETE))
_register(EC2, "StartInstances", "StopInstances")(_instances_changed(Operation.STATE))


def _ec2_resource_ids(params: Record) -> list[str]:
    resources = items(params, "resourcesSet", "requestParameters")
    return texts(resources, "resourceId", "requestParameters.resourcesSet.items")


@_register(EC2, "CreateTags")
def _create_tags(record: Record, scope: Scope) -> Iterator[Target]:
    params = _request(record)
    tags = tag_map(items(params, "tagSet", "requestParameters"), "requestParameters.tagSet.items")
    for resource_id in _ec2_resource_ids(params):
        yield Target(resource_id, type_of_ec2_id(resource_id), Operation.TAG, tags)


@_register(EC2, "DeleteTags")
def _delete_tags(record: Record, scope: Scope) -> Iterator[Target]:
    """Without a tag set EC2 deletes every tag, so the result is unknown (tags None)."""
    params = _request(record)
    tags: dict[str, str] | None = None
    removed: tuple[str, ...] = ()
    if "tagSet" in params:
        entries = items(params, "tagSet", "requestParameters")
        tags, removed = {}, tag_keys(entries, "requestParameters.tagSet.items")
    for resource_id in _ec2_resource_ids(params):
        yield Target(resource_id, type_of_ec2_id(resource_id), Operation.TAG, tags, removed)


@_register(EC2, "CreateNatGateway")
def _create_nat_gateway(record: Record, scope: Scope) -> Iterator[Target]:
    response, path = _unwrap(_response(record), "CreateNatGatewayResponse", "responseElements")
    gateway_id = text(obj(response, "natGateway", path), "natGatewayId", f"{path}.natGateway")
    params = _request(record)
    wrapped = params.get("CreateNatGatewayRequest")
    # The wrapped (XML-style) request spells tag specifications in a shape we do not parse:
    # say the tags are unknown rather than claim the gateway is untagged.
    tags: dict[str, str] | None
    if isinstance(wrapped, dict):
        tags = None if "TagSpecification" in wrapped else {}
    else:
        tags = _ec2_spec_tags(params, "natgateway")
    yield Target(gateway_id, "aws.ec2.natgateway", Operation.CREATE, tags)


@_register("s3.amazonaws.com", "CreateBucket")
def _create_bucket(record: Record, scope: Scope) -> Iterator[Target]:
    """S3 takes no tags on CreateBucket (they come later with PutBucketTagging)."""
    bucket = text(_request(record), "bucketName", "requestParameters")
    yield Target(bucket, "aws.s3.bucket", Operation.CREATE, {})


@_register(RDS, "CreateDBInstance")
def _create_db_instance(record: Record, scope: Scope) -> Iterator[Target]:
    """Older records lack `dBInstanceArn`; the ARN is then built from the identifier."""
    response = _response(record)
    arn = response.get("dBInstanceArn")
    if not isinstance(arn, str):
        identifier = text(response, "dBInstanceIdentifier", "responseElements")
        arn = build_arn("rds", scope.region, scope.account, f"db:{identifier}")
    yield Target(arn, "aws.rds.db", Operation.CREATE, _request_tags(record))


def _created(resource_type: str, *arn_path: str) -> Extractor:
    """A create call whose response holds the new resource's ARN at `arn_path`."""

    def extract(record: Record, scope: Scope) -> Iterator[Target]:
        section, path = _response(record), "responseElements"
        for key in arn_path[:-1]:
            section, path = obj(section, key, path), join(path, key)
        arn = text(section, arn_path[-1], path)
        yield Target(arn, resource_type, Operation.CREATE, _request_tags(record))

    return extract


_register(LAMBDA, "CreateFunction20150331", "CreateFunction")(
    _created("aws.lambda.function", "functionArn")
)
_register(SAGEMAKER, "CreateEndpoint")(_created("aws.sagemaker.endpoint", "endpointArn"))
_register(SAGEMAKER, "CreateTrainingJob")(_created("aws.sagemaker.training-job", "trainingJobArn"))
_register(EKS, "CreateCluster")(_created("aws.eks.cluster", "cluster", "arn"))
_register(EKS, "CreateNodegroup")(_created("aws.eks.nodegroup", "nodegroup", "nodegroupArn"))


@_register(LAMBDA, "DeleteFunction20150331", "DeleteFunction")
def _delete_function(record: Record, scope: Scope) -> Iterator[Target]:
    name = text(_request(record), "functionName", "requestParameters")
    arn = name
    if not name.startswith("arn:"):
        arn = build_arn("lambda", scope.region, scope.account, f"function:{name}")
    yield Target(arn, "aws.lambda.function", Operation.DELETE, None)


def _first_present(params: Record, keys: tuple[str, ...]) -> tuple[str, Any]:
    for key in keys:
        if key in params:
            return key, params[key]
    if len(keys) == 1:
        raise missing(f"requestParameters.{keys[0]}")
    raise missing(f"requestParameters has none of {', '.join(keys)}; the resource ARN")


def _tagged(arn_keys: tuple[str, ...], tags_keys: tuple[str, ...] = ("tags",)) -> Extractor:
    """A tag call addressed by ARN (one, or a list as ELBv2 takes); `tags` is what it set."""

    def extract(record: Record, scope: Scope) -> Iterator[Target]:
        params = _request(record)
        arn_key, arn_value = _first_present(params, arn_keys)
        tags_key, tags_value = _first_present(params, tags_keys)
        tags = tag_map(tags_value, f"requestParameters.{tags_key}")
        many = isinstance(arn_value, list)
        for index, arn in enumerate(arn_value if many else [arn_value]):
            path = f"requestParameters.{arn_key}" + (f"[{index}]" if many else "")
            if not isinstance(arn, str):
                raise mistyped(path, arn, "an ARN string")
            yield Target(arn, type_of_arn(parse_arn(arn, path)), Operation.TAG, tags)

    return extract


_register(LAMBDA, "TagResource20170331v2", "TagResource20170331", "TagResource")(
    _tagged(("resource",))
)
_register(ELB, "AddTags")(_tagged(("resourceArns",)))
_register(SAGEMAKER, "AddTags")(_tagged(("resourceArn",)))
_register(EKS, "TagResource")(_tagged(("resourceArn",)))
_register(RDS, "AddTagsToResource")(_tagged(("resourceName",)))
_BY_NAME["TagResource"] = _tagged(
    ("resourceArn", "resourceARN", "ResourceArn", "resource", "arn"), ("tags", "Tags")
)
