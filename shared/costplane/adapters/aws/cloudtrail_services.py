"""CloudTrail create, tag, untag and delete calls of the services that carry most spend.

The fast path: a new resource is decided seconds after its create call, in the tag shape its
API uses (lists of `{key,value}` or `{tagKey,tagValue}`, maps, EC2 tag specifications,
CloudFront's `{"items": [...]}`). The generic feeds (`config_items`, `tag_changes`) catch
what these calls do not. Each call is registered in `cloudtrail_resources`' registry, and
declared in `CATALOGUE` with the type it touches and what it does to it, for the coverage
table; a contract test keeps the catalogue equal to the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from costplane.adapters.aws.cloudtrail_fields import (
    Record,
    build_arn,
    join,
    mistyped,
    obj,
    parse_arn,
    tag_map,
    text,
    type_of_arn,
)
from costplane.adapters.aws.cloudtrail_resources import (
    _BY_NAME,
    EC2,
    EKS,
    ELB,
    LAMBDA,
    RDS,
    SAGEMAKER,
    Extractor,
    Scope,
    Target,
    _ec2_spec_tags,
    _register,
    _request,
    _response,
)
from costplane.domain.events import Operation

CREATE, TAG, DELETE = Operation.CREATE, Operation.TAG, Operation.DELETE
ANY_TYPE = "*"

CATALOGUE: dict[tuple[str, str], tuple[str, Operation]] = {
    (EC2, "RunInstances"): ("aws.ec2.instance", CREATE),
    (EC2, "TerminateInstances"): ("aws.ec2.instance", DELETE),
    (EC2, "StartInstances"): ("aws.ec2.instance", Operation.STATE),
    (EC2, "StopInstances"): ("aws.ec2.instance", Operation.STATE),
    (EC2, "CreateTags"): ("aws.ec2.*", TAG),
    (EC2, "DeleteTags"): ("aws.ec2.*", TAG),
    (EC2, "CreateNatGateway"): ("aws.ec2.natgateway", CREATE),
    ("s3.amazonaws.com", "CreateBucket"): ("aws.s3.bucket", CREATE),
    (RDS, "CreateDBInstance"): ("aws.rds.db", CREATE),
    (RDS, "AddTagsToResource"): ("aws.rds.*", TAG),
    (LAMBDA, "CreateFunction20150331"): ("aws.lambda.function", CREATE),
    (LAMBDA, "CreateFunction"): ("aws.lambda.function", CREATE),
    (LAMBDA, "DeleteFunction20150331"): ("aws.lambda.function", DELETE),
    (LAMBDA, "DeleteFunction"): ("aws.lambda.function", DELETE),
    (LAMBDA, "TagResource20170331v2"): ("aws.lambda.function", TAG),
    (LAMBDA, "TagResource20170331"): ("aws.lambda.function", TAG),
    (LAMBDA, "TagResource"): ("aws.lambda.function", TAG),
    (SAGEMAKER, "CreateEndpoint"): ("aws.sagemaker.endpoint", CREATE),
    (SAGEMAKER, "CreateTrainingJob"): ("aws.sagemaker.training-job", CREATE),
    (SAGEMAKER, "AddTags"): ("aws.sagemaker.*", TAG),
    (EKS, "CreateCluster"): ("aws.eks.cluster", CREATE),
    (EKS, "CreateNodegroup"): ("aws.eks.nodegroup", CREATE),
    (EKS, "TagResource"): ("aws.eks.*", TAG),
    (ELB, "AddTags"): ("aws.elbv2.*", TAG),
    (ANY_TYPE, "TagResource"): (ANY_TYPE, TAG),
}
"""(eventSource, eventName) -> (costplane type or `aws.<service>.*`, operation); `*` is any."""

DYNAMODB = "dynamodb.amazonaws.com"
ELASTICACHE = "elasticache.amazonaws.com"
REDSHIFT = "redshift.amazonaws.com"
OPENSEARCH = "es.amazonaws.com"
EFS = "elasticfilesystem.amazonaws.com"
FSX = "fsx.amazonaws.com"
ECS = "ecs.amazonaws.com"
KINESIS = "kinesis.amazonaws.com"
MSK = "kafka.amazonaws.com"
EMR = "elasticmapreduce.amazonaws.com"
KMS = "kms.amazonaws.com"
CLOUDFRONT = "cloudfront.amazonaws.com"
S3 = "s3.amazonaws.com"
BEDROCK = "bedrock.amazonaws.com"


def _call(
    source: str, resource_type: str, operation: Operation, *names: str
) -> Callable[[Extractor], Extractor]:
    """Register `extract` for `names` and declare what they do in the catalogue."""

    def register(extract: Extractor) -> Extractor:
        for name in names:
            CATALOGUE[(source, name)] = (resource_type, operation)
        return _register(source, *names)(extract)

    return register


def _at(section: Record, path: str, *keys: str) -> tuple[Any, str]:
    """The value at `keys` below `section` (objects all the way), with its dotted path."""
    for key in keys[:-1]:
        section, path = obj(section, key, path), join(path, key)
    return section.get(keys[-1]), join(path, keys[-1])


def _text_at(section: Record, path: str, *keys: str) -> str:
    value, where = _at(section, path, *keys)
    if isinstance(value, str) and value:
        return value
    raise mistyped(where, value, "a non-empty string")


def _items_tags(value: Any, path: str) -> dict[str, str]:
    """Tags in any AWS spelling, including CloudFront's `{"items": [...], "quantity": n}`."""
    if isinstance(value, dict) and isinstance(value.get("items"), list):
        return tag_map(value["items"], f"{path}.items")
    return tag_map(value, path)


def _request_tags_at(record: Record, *keys: str) -> dict[str, str]:
    """A create request's tags at `keys`; none there means untagged (CloudTrail logs it all)."""
    params = record.get("requestParameters")
    if not isinstance(params, dict):
        return {}
    value: Any = params
    path = "requestParameters"
    for key in keys:
        value = value.get(key) if isinstance(value, dict) else None
        path = join(path, key)
    return {} if value is None else _items_tags(value, path)


def _arn_or_name(service: str, prefix: str) -> Callable[[str, Scope], str]:
    """An ARN given as is, or built from a name: `prefix` is the ARN's resource before it."""

    def arn(value: str, scope: Scope) -> str:
        if value.startswith("arn:"):
            return value
        return build_arn(service, scope.region, scope.account, f"{prefix}{value}")

    return arn


def _created_at(
    resource_type: str, arn_at: tuple[str, ...], *tags_at: str, section: str = "response"
) -> Extractor:
    """A create call with the new ARN at `arn_at` in the response (or request) and its tags."""

    def extract(record: Record, scope: Scope) -> Iterator[Target]:
        root = _response(record) if section == "response" else _request(record)
        where = "responseElements" if section == "response" else "requestParameters"
        arn = _text_at(root, where, *arn_at)
        yield Target(arn, resource_type, CREATE, _request_tags_at(record, *tags_at))

    return extract


def _named(
    resource_type: str,
    operation: Operation,
    name_at: str,
    to_arn: Callable[[str, Scope], str],
    *tags_at: str,
) -> Extractor:
    """A call that names its resource in the request (create by name, or delete)."""

    def extract(record: Record, scope: Scope) -> Iterator[Target]:
        name = text(_request(record), name_at, "requestParameters")
        tags = _request_tags_at(record, *tags_at) if operation is CREATE else None
        yield Target(to_arn(name, scope), resource_type, operation, tags)

    return extract


def _tag_call(
    arn_keys: str | tuple[str, ...],
    tags_key: str,
    to_arn: Callable[[str, Scope], str] | None = None,
) -> Extractor:
    """A tag call on one resource by ARN (or by a name `to_arn` completes); `arn_keys` are
    the request fields that may name it, the first present one is read."""

    def extract(record: Record, scope: Scope) -> Iterator[Target]:
        params = _request(record)
        arn_key = _present(params, arn_keys)
        value = text(params, arn_key, "requestParameters")
        arn = to_arn(value, scope) if to_arn else value
        tags = _items_tags(params.get(tags_key), f"requestParameters.{tags_key}")
        kind = type_of_arn(parse_arn(arn, f"requestParameters.{arn_key}"))
        yield Target(arn, kind, TAG, tags)

    return extract


def _present(params: Record, keys: str | tuple[str, ...]) -> str:
    """The first of `keys` the request has, else the first (whose absence is then reported)."""
    names = (keys,) if isinstance(keys, str) else keys
    return next((k for k in names if k in params), names[0])


def _untag_call(
    arn_keys: str | tuple[str, ...],
    keys_key: str | tuple[str, ...],
    to_arn: Callable[[str, Scope], str] | None = None,
) -> Extractor:
    """An untag call: the removed keys are known, the remaining tags are read afterwards."""

    def extract(record: Record, scope: Scope) -> Iterator[Target]:
        params = _request(record)
        arn_key = _present(params, arn_keys)
        value = text(params, arn_key, "requestParameters")
        arn = to_arn(value, scope) if to_arn else value
        kind = type_of_arn(parse_arn(arn, f"requestParameters.{arn_key}"))
        yield Target(arn, kind, TAG, {}, _keys(params, _present(params, keys_key)))

    return extract


def _keys(params: Record, key: str) -> tuple[str, ...]:
    """Tag keys as a list, or CloudFront's `{"items": [...]}`."""
    keys = params.get(key)
    if isinstance(keys, dict) and isinstance(keys.get("items"), list):
        keys = keys["items"]
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise mistyped(f"requestParameters.{key}", keys, "a list of tag keys")
    return tuple(keys)


# EC2 volumes and snapshots ------------------------------------------------------------------


def _ec2_created(resource_type: str, id_key: str, spec_type: str) -> Extractor:
    def extract(record: Record, scope: Scope) -> Iterator[Target]:
        resource_id = text(_response(record), id_key, "responseElements")
        yield Target(
            resource_id, resource_type, CREATE, _ec2_spec_tags(_request(record), spec_type)
        )

    return extract


def _ec2_deleted(resource_type: str, id_key: str) -> Extractor:
    def extract(record: Record, scope: Scope) -> Iterator[Target]:
        yield Target(
            text(_request(record), id_key, "requestParameters"), resource_type, DELETE, None
        )

    return extract


_call(EC2, "aws.ec2.volume", CREATE, "CreateVolume")(
    _ec2_created("aws.ec2.volume", "volumeId", "volume")
)
_call(EC2, "aws.ec2.snapshot", CREATE, "CreateSnapshot")(
    _ec2_created("aws.ec2.snapshot", "snapshotId", "snapshot")
)
_call(EC2, "aws.ec2.volume", DELETE, "DeleteVolume")(_ec2_deleted("aws.ec2.volume", "volumeId"))
_call(EC2, "aws.ec2.snapshot", DELETE, "DeleteSnapshot")(
    _ec2_deleted("aws.ec2.snapshot", "snapshotId")
)

# S3 --------------------------------------------------------------------------------------------


@_call(S3, "aws.s3.bucket", TAG, "PutBucketTagging")
def _put_bucket_tagging(record: Record, scope: Scope) -> Iterator[Target]:
    """PutBucketTagging replaces the bucket's whole tag set: what it sets is all there is."""
    params = _request(record)
    bucket = text(params, "bucketName", "requestParameters")
    tag_set, path = _at(params, "requestParameters", "Tagging", "TagSet")
    if isinstance(tag_set, dict) and "Tag" in tag_set:  # the XML body, as CloudTrail logs it
        tag_set, path = tag_set["Tag"], f"{path}.Tag"
    pairs = tag_set if isinstance(tag_set, list) else [tag_set]
    yield Target(bucket, "aws.s3.bucket", TAG, tag_map(pairs, path))


_call(S3, "aws.s3.bucket", DELETE, "DeleteBucket")(
    _named("aws.s3.bucket", DELETE, "bucketName", lambda name, _: name)
)

# Load balancers -------------------------------------------------------------------------------


@_call(ELB, "aws.elbv2.loadbalancer", CREATE, "CreateLoadBalancer")
def _create_load_balancer(record: Record, scope: Scope) -> Iterator[Target]:
    balancers, path = _at(_response(record), "responseElements", "loadBalancers")
    if not isinstance(balancers, list) or not balancers or not isinstance(balancers[0], dict):
        raise mistyped(path, balancers, "a list of load balancers")
    arn = text(balancers[0], "loadBalancerArn", f"{path}[0]")
    yield Target(arn, type_of_arn(parse_arn(arn, path)), CREATE, _request_tags_at(record, "tags"))


_call(ELB, "aws.elbv2.loadbalancer", DELETE, "DeleteLoadBalancer")(
    _named("aws.elbv2.loadbalancer", DELETE, "loadBalancerArn", lambda arn, _: arn)
)


@_call(ELB, "aws.elbv2.*", TAG, "RemoveTags")
def _remove_tags(record: Record, scope: Scope) -> Iterator[Target]:
    params = _request(record)
    arns = params.get("resourceArns")
    if not isinstance(arns, list):
        raise mistyped("requestParameters.resourceArns", arns, "a list of ARNs")
    removed = _keys(params, "tagKeys")
    for index, arn in enumerate(arns):
        path = f"requestParameters.resourceArns[{index}]"
        if not isinstance(arn, str):
            raise mistyped(path, arn, "an ARN string")
        yield Target(arn, type_of_arn(parse_arn(arn, path)), TAG, {}, removed)


# Databases: RDS clusters, DynamoDB, ElastiCache, Redshift, OpenSearch --------------------------

_db_arn = _arn_or_name("rds", "db:")
_cluster_arn = _arn_or_name("rds", "cluster:")
_call(RDS, "aws.rds.cluster", CREATE, "CreateDBCluster")(
    _created_at("aws.rds.cluster", ("dBClusterArn",), "tags")
)
_call(RDS, "aws.rds.db", DELETE, "DeleteDBInstance")(
    _named("aws.rds.db", DELETE, "dBInstanceIdentifier", _db_arn)
)
_call(RDS, "aws.rds.cluster", DELETE, "DeleteDBCluster")(
    _named("aws.rds.cluster", DELETE, "dBClusterIdentifier", _cluster_arn)
)
_call(RDS, "aws.rds.*", TAG, "RemoveTagsFromResource")(_untag_call("resourceName", "tagKeys"))

_table_arn = _arn_or_name("dynamodb", "table/")
_call(DYNAMODB, "aws.dynamodb.table", CREATE, "CreateTable")(
    _created_at("aws.dynamodb.table", ("tableDescription", "tableArn"), "tags")
)
_call(DYNAMODB, "aws.dynamodb.table", DELETE, "DeleteTable")(
    _named("aws.dynamodb.table", DELETE, "tableName", _table_arn)
)

_cache_arn = _arn_or_name("elasticache", "cluster:")
_group_arn = _arn_or_name("elasticache", "replicationgroup:")
_call(ELASTICACHE, "aws.elasticache.cluster", CREATE, "CreateCacheCluster")(
    _named("aws.elasticache.cluster", CREATE, "cacheClusterId", _cache_arn, "tags")
)
_call(ELASTICACHE, "aws.elasticache.replicationgroup", CREATE, "CreateReplicationGroup")(
    _named("aws.elasticache.replicationgroup", CREATE, "replicationGroupId", _group_arn, "tags")
)
_call(ELASTICACHE, "aws.elasticache.cluster", DELETE, "DeleteCacheCluster")(
    _named("aws.elasticache.cluster", DELETE, "cacheClusterId", _cache_arn)
)
_call(ELASTICACHE, "aws.elasticache.replicationgroup", DELETE, "DeleteReplicationGroup")(
    _named("aws.elasticache.replicationgroup", DELETE, "replicationGroupId", _group_arn)
)
_call(ELASTICACHE, "aws.elasticache.*", TAG, "AddTagsToResource")(_tag_call("resourceName", "tags"))
_call(ELASTICACHE, "aws.elasticache.*", TAG, "RemoveTagsFromResource")(
    _untag_call("resourceName", "tagKeys")
)

_redshift_arn = _arn_or_name("redshift", "cluster:")
_call(REDSHIFT, "aws.redshift.cluster", CREATE, "CreateCluster")(
    _named("aws.redshift.cluster", CREATE, "clusterIdentifier", _redshift_arn, "tags")
)
_call(REDSHIFT, "aws.redshift.cluster", DELETE, "DeleteCluster")(
    _named("aws.redshift.cluster", DELETE, "clusterIdentifier", _redshift_arn)
)
_call(REDSHIFT, "aws.redshift.*", TAG, "CreateTags")(_tag_call("resourceName", "tags"))
_call(REDSHIFT, "aws.redshift.*", TAG, "DeleteTags")(_untag_call("resourceName", "tagKeys"))

_domain_arn = _arn_or_name("es", "domain/")
_call(OPENSEARCH, "aws.es.domain", CREATE, "CreateDomain", "CreateElasticsearchDomain")(
    _named("aws.es.domain", CREATE, "domainName", _domain_arn, "tagList")
)
_call(OPENSEARCH, "aws.es.domain", DELETE, "DeleteDomain", "DeleteElasticsearchDomain")(
    _named("aws.es.domain", DELETE, "domainName", _domain_arn)
)
_call(OPENSEARCH, "aws.es.domain", TAG, "AddTags")(_tag_call("aRN", "tagList"))
_call(OPENSEARCH, "aws.es.domain", TAG, "RemoveTags")(_untag_call("aRN", "tagKeys"))

# Storage: EFS, FSx ------------------------------------------------------------------------------

_efs_arn = _arn_or_name("elasticfilesystem", "file-system/")
_fsx_arn = _arn_or_name("fsx", "file-system/")


@_call(EFS, "aws.elasticfilesystem.file-system", CREATE, "CreateFileSystem")
def _create_efs(record: Record, scope: Scope) -> Iterator[Target]:
    """Older records carry only the file system id; the ARN is then built from it."""
    response = _response(record)
    arn = response.get("fileSystemArn")
    if not isinstance(arn, str):
        arn = _efs_arn(text(response, "fileSystemId", "responseElements"), scope)
    yield Target(arn, "aws.elasticfilesystem.file-system", CREATE, _request_tags_at(record, "tags"))


_call(EFS, "aws.elasticfilesystem.file-system", DELETE, "DeleteFileSystem")(
    _named("aws.elasticfilesystem.file-system", DELETE, "fileSystemId", _efs_arn)
)
_call(EFS, "aws.elasticfilesystem.file-system", TAG, "TagResource")(
    _tag_call("resourceId", "tags", _efs_arn)
)
_call(EFS, "aws.elasticfilesystem.file-system", TAG, "UntagResource")(
    _untag_call("resourceId", "tagKeys", _efs_arn)
)
_call(FSX, "aws.fsx.file-system", CREATE, "CreateFileSystem")(
    _created_at("aws.fsx.file-system", ("fileSystem", "resourceARN"), "tags")
)
_call(FSX, "aws.fsx.file-system", DELETE, "DeleteFileSystem")(
    _named("aws.fsx.file-system", DELETE, "fileSystemId", _fsx_arn)
)

# Containers, streams, analytics: ECS, Kinesis, MSK, EMR ----------------------------------------

_call(ECS, "aws.ecs.service", CREATE, "CreateService")(
    _created_at("aws.ecs.service", ("service", "serviceArn"), "tags")
)
_call(ECS, "aws.ecs.cluster", CREATE, "CreateCluster")(
    _created_at("aws.ecs.cluster", ("cluster", "clusterArn"), "tags")
)
_call(ECS, "aws.ecs.service", DELETE, "DeleteService")(
    _created_at("aws.ecs.service", ("service", "serviceArn"))
)
_call(ECS, "aws.ecs.cluster", DELETE, "DeleteCluster")(
    _created_at("aws.ecs.cluster", ("cluster", "clusterArn"))
)

_stream_arn = _arn_or_name("kinesis", "stream/")
_call(KINESIS, "aws.kinesis.stream", CREATE, "CreateStream")(
    _named("aws.kinesis.stream", CREATE, "streamName", _stream_arn, "tags")
)
_call(KINESIS, "aws.kinesis.stream", DELETE, "DeleteStream")(
    _named("aws.kinesis.stream", DELETE, "streamName", _stream_arn)
)
_call(KINESIS, "aws.kinesis.stream", TAG, "AddTagsToStream")(
    _tag_call("streamName", "tags", _stream_arn)
)

_call(MSK, "aws.kafka.cluster", CREATE, "CreateCluster", "CreateClusterV2")(
    _created_at("aws.kafka.cluster", ("clusterArn",), "tags")
)
_call(MSK, "aws.kafka.cluster", DELETE, "DeleteCluster")(
    _named("aws.kafka.cluster", DELETE, "clusterArn", lambda arn, _: arn)
)

_emr_arn = _arn_or_name("elasticmapreduce", "cluster/")


@_call(EMR, "aws.elasticmapreduce.cluster", CREATE, "RunJobFlow")
def _run_job_flow(record: Record, scope: Scope) -> Iterator[Target]:
    cluster = _emr_arn(text(_response(record), "jobFlowId", "responseElements"), scope)
    yield Target(cluster, "aws.elasticmapreduce.cluster", CREATE, _request_tags_at(record, "tags"))


@_call(EMR, "aws.elasticmapreduce.cluster", DELETE, "TerminateJobFlows")
def _terminate_job_flows(record: Record, scope: Scope) -> Iterator[Target]:
    ids = _request(record).get("jobFlowIds")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise mistyped("requestParameters.jobFlowIds", ids, "a list of cluster ids")
    for cluster in ids:
        yield Target(_emr_arn(cluster, scope), "aws.elasticmapreduce.cluster", DELETE, None)


_call(EMR, "aws.elasticmapreduce.cluster", TAG, "AddTags")(
    _tag_call("resourceId", "tags", _emr_arn)
)

# Keys and distributions: KMS, CloudFront ------------------------------------------------------

_key_arn = _arn_or_name("kms", "key/")
_call(KMS, "aws.kms.key", CREATE, "CreateKey")(
    _created_at("aws.kms.key", ("keyMetadata", "arn"), "tags")
)
_call(KMS, "aws.kms.key", DELETE, "ScheduleKeyDeletion")(
    _named("aws.kms.key", DELETE, "keyId", _key_arn)
)
_call(KMS, "aws.kms.key", TAG, "TagResource")(_tag_call(("keyId", "resourceArn"), "tags", _key_arn))
_call(KMS, "aws.kms.key", TAG, "UntagResource")(
    _untag_call(("keyId", "resourceArn"), "tagKeys", _key_arn)
)


def _distribution_arn(value: str, scope: Scope) -> str:
    """CloudFront is global: its ARNs have no region."""
    if value.startswith("arn:"):
        return value
    return f"arn:aws:cloudfront::{scope.account}:distribution/{value}"


_call(CLOUDFRONT, "aws.cloudfront.distribution", CREATE, "CreateDistributionWithTags")(
    _created_at(
        "aws.cloudfront.distribution",
        ("distribution", "aRN"),
        "distributionConfigWithTags",
        "tags",
    )
)
_call(CLOUDFRONT, "aws.cloudfront.distribution", CREATE, "CreateDistribution")(
    _created_at("aws.cloudfront.distribution", ("distribution", "aRN"))
)
_call(CLOUDFRONT, "aws.cloudfront.distribution", DELETE, "DeleteDistribution")(
    _named("aws.cloudfront.distribution", DELETE, "id", _distribution_arn)
)
_call(CLOUDFRONT, "aws.cloudfront.distribution", TAG, "TagResource")(_tag_call("resource", "tags"))
_call(CLOUDFRONT, "aws.cloudfront.distribution", TAG, "UntagResource")(
    _untag_call("resource", "tagKeys")
)

# Bedrock: application inference profiles and provisioned throughput ---------------------------
# Both take `{key, value}` tag lists in the create request and answer with the new ARN.
# A delete names the resource by id or ARN (a provisioned throughput also by its name, which
# then builds an ARN no create reported: that delete is seen, but matches nothing).

INFERENCE_PROFILE = "aws.bedrock.application-inference-profile"
PROVISIONED_MODEL = "aws.bedrock.provisioned-model"
_profile_arn = _arn_or_name("bedrock", "application-inference-profile/")
_provisioned_arn = _arn_or_name("bedrock", "provisioned-model/")
_call(BEDROCK, INFERENCE_PROFILE, CREATE, "CreateInferenceProfile")(
    _created_at(INFERENCE_PROFILE, ("inferenceProfileArn",), "tags")
)
_call(BEDROCK, PROVISIONED_MODEL, CREATE, "CreateProvisionedModelThroughput")(
    _created_at(PROVISIONED_MODEL, ("provisionedModelArn",), "tags")
)
_call(BEDROCK, INFERENCE_PROFILE, DELETE, "DeleteInferenceProfile")(
    _named(INFERENCE_PROFILE, DELETE, "inferenceProfileIdentifier", _profile_arn)
)
_call(BEDROCK, PROVISIONED_MODEL, DELETE, "DeleteProvisionedModelThroughput")(
    _named(PROVISIONED_MODEL, DELETE, "provisionedModelId", _provisioned_arn)
)
_call(BEDROCK, "aws.bedrock.*", TAG, "TagResource")(_tag_call("resourceARN", "tags"))
_call(BEDROCK, "aws.bedrock.*", TAG, "UntagResource")(_untag_call("resourceARN", "tagKeys"))

# SageMaker notebooks, Lambda untag, and any service's UntagResource ---------------------------

_call(SAGEMAKER, "aws.sagemaker.notebook-instance", CREATE, "CreateNotebookInstance")(
    _created_at("aws.sagemaker.notebook-instance", ("notebookInstanceArn",), "tags")
)
_call(LAMBDA, "aws.lambda.function", TAG, "UntagResource20170331v2", "UntagResource")(
    _untag_call("resource", "tagKeys")
)


_ARN_KEYS = ("resourceArn", "resourceARN", "ResourceArn", "resource", "arn")
_BY_NAME["UntagResource"] = _untag_call(_ARN_KEYS, ("tagKeys", "TagKeys", "keys"))
CATALOGUE[(ANY_TYPE, "UntagResource")] = (ANY_TYPE, TAG)
