"""Act on AWS resources: tag, untag, stop and quarantine, one handler per resource type.

Every handler is idempotent, because a retried delivery may run it again: tagging sets
values, untagging absent keys is a no-op, stopping a stopped resource succeeds, and a second
quarantine neither changes anything nor forgets what the first one recorded.

Quarantine is reversible: an EC2 instance's network interfaces move to an isolation security
group without rules, their previous groups kept in the `costplane-quarantine-sgs` tag; a
Lambda function's reserved concurrency drops to 0, the previous value kept in
`costplane-quarantine-concurrency`. `release_quarantine` puts both back.

Throttle, suspend and decommission return the state that undoes them and record it on the
resource (see `capacity`): an EC2 instance is stopped (`costplane-suspended: state=running`,
resume starts it only if it was running), a Lambda function's reserved concurrency drops to 0
(`costplane-throttled: concurrency=5` or `=unreserved`), an Auto Scaling group goes to 0, an
IAM role or user gets a deny-spend policy, a SageMaker endpoint is deleted from its kept config,
a Bedrock inference profile is denied to every principal or deleted (see `capacity_bedrock`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from costplane.adapters.aws import tagging_api
from costplane.adapters.aws.arns import arn_of, region_of, resource_name
from costplane.adapters.aws.capacity import GROUP_THROTTLE
from costplane.adapters.aws.capacity_bedrock import (
    PROFILE_DECOMMISSION,
    PROFILE_SUSPEND,
    THROUGHPUT_DECOMMISSION,
)
from costplane.adapters.aws.capacity_iam import ROLE_SUSPEND, USER_SUSPEND
from costplane.adapters.aws.capacity_sagemaker import ENDPOINT_DECOMMISSION
from costplane.adapters.aws.clients import client, error_code, missing_is_gone
from costplane.adapters.aws.governed import ARN_ADDRESSED
from costplane.adapters.aws.inventory import (
    bucket_tags,
    describe_instance,
    eks_nodegroup,
    for_type,
    read_tags,
    sagemaker_arn,
    tag_dict,
)
from costplane.domain.decisions import ActionKind
from costplane.engine.executor import NOTIFYING
from costplane.engine.ports import ResourceRef
from costplane.engine.undo import Reversible, ReversibleActions, TagRecord, Undo, reversible

if TYPE_CHECKING:
    from mypy_boto3_ec2.client import EC2Client
    from mypy_boto3_ec2.type_defs import SecurityGroupTypeDef

QUARANTINE_SGS_TAG = "costplane-quarantine-sgs"
QUARANTINE_CONCURRENCY_TAG = "costplane-quarantine-concurrency"
ISOLATION_GROUP = "costplane-quarantine"
_UNRESERVED = "unreserved"
_MAX_TAG_VALUE = 256

Act = Callable[[ResourceRef], None]
Handler = TypeVar("Handler")


class UnsupportedAction(LookupError):
    """The action does not exist for this resource type on AWS."""


@dataclass(frozen=True, slots=True)
class Tagging:
    add: Callable[[ResourceRef, dict[str, str]], None]
    remove: Callable[[ResourceRef, list[str]], None]


@dataclass(frozen=True, slots=True)
class Quarantine:
    apply: Act
    release: Act


class AwsEnforcer(ReversibleActions):
    """Enforcer port on AWS. `supports` answers from the registries, without calling AWS."""

    def __init__(self) -> None:
        self.reversible = _REVERSIBLE

    def supports(self, kind: ActionKind, resource_type: str) -> bool:
        if kind in NOTIFYING:
            return True
        registry = _SUPPORT.get(kind)
        return registry is not None and for_type(registry, resource_type) is not None

    def tag(self, ref: ResourceRef, tags: Mapping[str, str]) -> None:
        if tags:
            _handler(_TAGGING, ActionKind.TAG, ref).add(ref, dict(tags))

    def untag(self, ref: ResourceRef, keys: Iterable[str]) -> None:
        if wanted := list(keys):
            _handler(_TAGGING, ActionKind.UNTAG, ref).remove(ref, wanted)

    def stop(self, ref: ResourceRef) -> None:
        _handler(_STOP, ActionKind.STOP, ref)(ref)

    def quarantine(self, ref: ResourceRef) -> None:
        _handler(_QUARANTINE, ActionKind.QUARANTINE, ref).apply(ref)

    def release_quarantine(self, ref: ResourceRef) -> None:
        """Undo `quarantine` from what it recorded; a no-op on a resource not quarantined."""
        _handler(_QUARANTINE, ActionKind.QUARANTINE, ref).release(ref)


def _handler(registry: Mapping[str, Handler], kind: ActionKind, ref: ResourceRef) -> Handler:
    found = for_type(registry, ref.resource_type)
    if found is None:
        raise UnsupportedAction(f"{kind.value} is not supported on {ref.resource_type}")
    return found


@contextmanager
def _unless_already(code: str, done: Callable[[], bool]) -> Iterator[None]:
    """Swallow error `code` when `done()` confirms the resource is already where we want it."""
    try:
        yield
    except Exception as exc:
        if error_code(exc) != code or not done():
            raise


# Tagging -------------------------------------------------------------------------------------


def _ec2_add(ref: ResourceRef, tags: dict[str, str]) -> None:
    with missing_is_gone(ref):
        client("ec2", region_of(ref)).create_tags(
            Resources=[ref.resource_id], Tags=[{"Key": k, "Value": v} for k, v in tags.items()]
        )


def _ec2_remove(ref: ResourceRef, keys: list[str]) -> None:
    with missing_is_gone(ref):
        client("ec2", region_of(ref)).delete_tags(
            Resources=[ref.resource_id], Tags=[{"Key": key} for key in keys]
        )


def _s3_add(ref: ResourceRef, tags: dict[str, str]) -> None:
    """S3 replaces a bucket's whole tag set: read, merge, write (last writer wins)."""
    current = bucket_tags(ref)
    if (merged := current | tags) != current:
        _put_bucket_tags(ref, merged)


def _s3_remove(ref: ResourceRef, keys: list[str]) -> None:
    current = bucket_tags(ref)
    if (kept := {k: v for k, v in current.items() if k not in keys}) != current:
        _put_bucket_tags(ref, kept)


def _put_bucket_tags(ref: ResourceRef, tags: dict[str, str]) -> None:
    s3, bucket = client("s3", region_of(ref)), resource_name(ref)
    with missing_is_gone(ref):
        if tags:
            s3.put_bucket_tagging(
                Bucket=bucket,
                Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]},
            )
        else:
            s3.delete_bucket_tagging(Bucket=bucket)


def _rds_add(ref: ResourceRef, tags: dict[str, str]) -> None:
    rds = client("rds", region_of(ref))
    with missing_is_gone(ref):
        rds.add_tags_to_resource(
            ResourceName=arn_of(ref, rds.meta.region_name),
            Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
        )


def _rds_remove(ref: ResourceRef, keys: list[str]) -> None:
    rds = client("rds", region_of(ref))
    with missing_is_gone(ref):
        rds.remove_tags_from_resource(ResourceName=arn_of(ref, rds.meta.region_name), TagKeys=keys)


def _lambda_add(ref: ResourceRef, tags: dict[str, str]) -> None:
    functions = client("lambda", region_of(ref))
    with missing_is_gone(ref):
        functions.tag_resource(Resource=arn_of(ref, functions.meta.region_name), Tags=tags)


def _lambda_remove(ref: ResourceRef, keys: list[str]) -> None:
    functions = client("lambda", region_of(ref))
    with missing_is_gone(ref):
        functions.untag_resource(Resource=arn_of(ref, functions.meta.region_name), TagKeys=keys)


def _sagemaker_add(ref: ResourceRef, tags: dict[str, str]) -> None:
    arn = sagemaker_arn(ref)
    client("sagemaker", region_of(ref)).add_tags(
        ResourceArn=arn, Tags=[{"Key": k, "Value": v} for k, v in tags.items()]
    )


def _sagemaker_remove(ref: ResourceRef, keys: list[str]) -> None:
    arn = sagemaker_arn(ref)
    client("sagemaker", region_of(ref)).delete_tags(ResourceArn=arn, TagKeys=keys)


_EKS_ARNS: dict[str, Callable[[ResourceRef], str]] = {
    "aws.eks.cluster": lambda ref: arn_of(ref, client("eks", region_of(ref)).meta.region_name),
    "aws.eks.nodegroup": lambda ref: str(eks_nodegroup(ref)["nodegroupArn"]),
}


def _eks_add(ref: ResourceRef, tags: dict[str, str]) -> None:
    arn = _EKS_ARNS[ref.resource_type](ref)
    with missing_is_gone(ref):
        client("eks", region_of(ref)).tag_resource(resourceArn=arn, tags=tags)


def _eks_remove(ref: ResourceRef, keys: list[str]) -> None:
    arn = _EKS_ARNS[ref.resource_type](ref)
    with missing_is_gone(ref):
        client("eks", region_of(ref)).untag_resource(resourceArn=arn, tagKeys=keys)


def _elbv2_add(ref: ResourceRef, tags: dict[str, str]) -> None:
    with missing_is_gone(ref):
        client("elbv2", region_of(ref)).add_tags(
            ResourceArns=[ref.resource_id],
            Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
        )


def _elbv2_remove(ref: ResourceRef, keys: list[str]) -> None:
    with missing_is_gone(ref):
        client("elbv2", region_of(ref)).remove_tags(ResourceArns=[ref.resource_id], TagKeys=keys)


def _bedrock_add(ref: ResourceRef, tags: dict[str, str]) -> None:
    with missing_is_gone(ref):
        client("bedrock", region_of(ref)).tag_resource(
            resourceARN=ref.resource_id, tags=[{"key": k, "value": v} for k, v in tags.items()]
        )


def _bedrock_remove(ref: ResourceRef, keys: list[str]) -> None:
    with missing_is_gone(ref):
        client("bedrock", region_of(ref)).untag_resource(resourceARN=ref.resource_id, tagKeys=keys)


_EC2 = Tagging(_ec2_add, _ec2_remove)
_SAGEMAKER = Tagging(_sagemaker_add, _sagemaker_remove)
_EKS = Tagging(_eks_add, _eks_remove)
_TAGGING: dict[str, Tagging] = {
    "aws.ec2.*": _EC2,
    "aws.s3.bucket": Tagging(_s3_add, _s3_remove),
    "aws.rds.db": Tagging(_rds_add, _rds_remove),
    "aws.lambda.function": Tagging(_lambda_add, _lambda_remove),
    "aws.sagemaker.endpoint": _SAGEMAKER,
    "aws.sagemaker.training-job": _SAGEMAKER,
    "aws.eks.cluster": _EKS,
    "aws.eks.nodegroup": _EKS,
    "aws.elbv2.loadbalancer": Tagging(_elbv2_add, _elbv2_remove),
    "aws.bedrock.*": Tagging(_bedrock_add, _bedrock_remove),
}
# Every other governed type is tagged by ARN through the Resource Groups Tagging API.
_TAGGING.update(
    dict.fromkeys(
        {t for t in ARN_ADDRESSED if for_type(_TAGGING, t) is None},
        Tagging(tagging_api.tag, tagging_api.untag),
    )
)


# Stop ----------------------------------------------------------------------------------------


def _stop_instance(ref: ResourceRef) -> None:
    """Stopping a stopped instance succeeds; a pending one raises, so the event is retried."""

    def stopped() -> bool:
        return describe_instance(ref).get("State", {}).get("Name") in ("stopping", "stopped")

    with _unless_already("IncorrectInstanceState", stopped), missing_is_gone(ref):
        client("ec2", region_of(ref)).stop_instances(InstanceIds=[ref.resource_id])


def _stop_db(ref: ResourceRef) -> None:
    rds, name = client("rds", region_of(ref)), resource_name(ref)

    def stopped() -> bool:
        status = rds.describe_db_instances(DBInstanceIdentifier=name)["DBInstances"][0]
        return status["DBInstanceStatus"] in ("stopping", "stopped")

    with _unless_already("InvalidDBInstanceState", stopped), missing_is_gone(ref):
        rds.stop_db_instance(DBInstanceIdentifier=name)


_STOP: dict[str, Act] = {"aws.ec2.instance": _stop_instance, "aws.rds.db": _stop_db}


# Quarantine ----------------------------------------------------------------------------------


def _quarantine_instance(ref: ResourceRef) -> None:
    """Move every network interface to the isolation group, recording its groups first."""
    instance = describe_instance(ref)
    ec2 = client("ec2", region_of(ref))
    isolation = _isolation_group(ec2, instance["VpcId"])
    exposed = {
        eni["NetworkInterfaceId"]: [group["GroupId"] for group in eni.get("Groups", [])]
        for eni in instance.get("NetworkInterfaces", [])
    }
    exposed = {eni: groups for eni, groups in exposed.items() if groups != [isolation]}
    if not exposed:
        return
    recorded = _decode_groups(tag_dict(instance.get("Tags", [])).get(QUARANTINE_SGS_TAG, ""))
    _ec2_add(ref, {QUARANTINE_SGS_TAG: _encode_groups(exposed | recorded)})
    for eni in exposed:
        ec2.modify_network_interface_attribute(NetworkInterfaceId=eni, Groups=[isolation])


def _release_instance(ref: ResourceRef) -> None:
    instance = describe_instance(ref)
    recorded = _decode_groups(tag_dict(instance.get("Tags", [])).get(QUARANTINE_SGS_TAG, ""))
    ec2 = client("ec2", region_of(ref))
    for eni, groups in recorded.items():
        ec2.modify_network_interface_attribute(NetworkInterfaceId=eni, Groups=groups)
    if recorded:
        _ec2_remove(ref, [QUARANTINE_SGS_TAG])


def _encode_groups(groups: Mapping[str, Sequence[str]]) -> str:
    """`eni-1=sg-a,sg-b;eni-2=sg-c`; refuses what a tag value cannot hold rather than lose it."""
    value = ";".join(f"{eni}={','.join(ids)}" for eni, ids in sorted(groups.items()))
    if len(value) > _MAX_TAG_VALUE:
        raise ValueError(f"{len(value)} characters of security groups do not fit in one tag")
    return value


def _decode_groups(value: str) -> dict[str, list[str]]:
    pairs = (entry.partition("=") for entry in value.split(";") if entry)
    return {eni: ids.split(",") for eni, _, ids in pairs}


def _isolation_group(ec2: EC2Client, vpc_id: str) -> str:
    """The VPC's isolation group, created on first use and kept free of any rule."""
    group = _find_group(ec2, vpc_id)
    if group is None:
        try:
            ec2.create_security_group(
                GroupName=ISOLATION_GROUP,
                Description="costplane quarantine: no inbound or outbound traffic",
                VpcId=vpc_id,
            )
        except Exception as exc:
            if error_code(exc) != "InvalidGroup.Duplicate":  # another quarantine created it
                raise
        group = _find_group(ec2, vpc_id)
        if group is None:
            raise LookupError(f"isolation group {ISOLATION_GROUP} vanished from {vpc_id}")
    if ingress := group.get("IpPermissions"):
        ec2.revoke_security_group_ingress(GroupId=group["GroupId"], IpPermissions=ingress)
    if egress := group.get("IpPermissionsEgress"):
        ec2.revoke_security_group_egress(GroupId=group["GroupId"], IpPermissions=egress)
    return group["GroupId"]


def _find_group(ec2: EC2Client, vpc_id: str) -> SecurityGroupTypeDef | None:
    groups = ec2.describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "group-name", "Values": [ISOLATION_GROUP]},
        ]
    )["SecurityGroups"]
    return groups[0] if groups else None


def _reserved(ref: ResourceRef) -> str:
    """The function's reserved concurrency, or `unreserved`."""
    functions = client("lambda", region_of(ref))
    with missing_is_gone(ref):
        current = functions.get_function_concurrency(FunctionName=ref.resource_id)
    reserved = current.get("ReservedConcurrentExecutions")
    return _UNRESERVED if reserved is None else str(reserved)


def _reserve(ref: ResourceRef, concurrency: str) -> None:
    """Reserve `concurrency` (a number, or `unreserved` to drop the reservation)."""
    if _reserved(ref) == concurrency:
        return
    functions = client("lambda", region_of(ref))
    if concurrency == _UNRESERVED:
        functions.delete_function_concurrency(FunctionName=ref.resource_id)
    else:
        functions.put_function_concurrency(
            FunctionName=ref.resource_id, ReservedConcurrentExecutions=int(concurrency)
        )


def _quarantine_function(ref: ResourceRef) -> None:
    """Reserve 0 concurrency so nothing runs; already 0 means already quarantined."""
    reserved = _reserved(ref)
    if reserved == "0":
        return
    _lambda_add(ref, {QUARANTINE_CONCURRENCY_TAG: reserved})
    _reserve(ref, "0")


def _release_function(ref: ResourceRef) -> None:
    previous = read_tags(ref).get(QUARANTINE_CONCURRENCY_TAG)
    if previous is None:
        return
    _reserve(ref, previous)
    _lambda_remove(ref, [QUARANTINE_CONCURRENCY_TAG])


_QUARANTINE: dict[str, Quarantine] = {
    "aws.ec2.instance": Quarantine(_quarantine_instance, _release_instance),
    "aws.lambda.function": Quarantine(_quarantine_function, _release_function),
}


# Throttle, suspend, decommission -------------------------------------------------------------


def _instance_state(ref: ResourceRef) -> Undo:
    """`running` for an instance in service (or on its way), else `stopped`."""
    state = describe_instance(ref).get("State", {}).get("Name")
    return {"state": "stopped" if state in ("stopping", "stopped") else "running"}


def _start_instance(ref: ResourceRef, state: Undo) -> None:
    """Start only what was running; a stopping instance raises, so the resume is retried."""
    if state.get("state") == "running":
        with missing_is_gone(ref):
            client("ec2", region_of(ref)).start_instances(InstanceIds=[ref.resource_id])


_INSTANCE_SUSPEND = reversible(
    ActionKind.SUSPEND,
    TagRecord(read_tags, _ec2_add, _ec2_remove),
    capture=_instance_state,
    apply=_stop_instance,
    restore=_start_instance,
)
_FUNCTION_THROTTLE = reversible(
    ActionKind.THROTTLE,
    TagRecord(read_tags, _lambda_add, _lambda_remove),
    capture=lambda ref: {"concurrency": _reserved(ref)},
    apply=lambda ref: _reserve(ref, "0"),
    restore=lambda ref, state: _reserve(ref, state["concurrency"]),
)

_REVERSIBLE: dict[ActionKind, dict[str, Reversible]] = {
    ActionKind.THROTTLE: {
        "aws.lambda.function": _FUNCTION_THROTTLE,
        "aws.autoscaling.group": GROUP_THROTTLE,
    },
    ActionKind.SUSPEND: {
        "aws.ec2.instance": _INSTANCE_SUSPEND,
        "aws.iam.role": ROLE_SUSPEND,
        "aws.iam.user": USER_SUSPEND,
        "aws.bedrock.application-inference-profile": PROFILE_SUSPEND,
    },
    ActionKind.DECOMMISSION: {
        "aws.sagemaker.endpoint": ENDPOINT_DECOMMISSION,
        "aws.bedrock.application-inference-profile": PROFILE_DECOMMISSION,
        "aws.bedrock.provisioned-model": THROUGHPUT_DECOMMISSION,
    },
}

_SUPPORT: dict[ActionKind, Mapping[str, object]] = {
    ActionKind.TAG: _TAGGING,
    ActionKind.UNTAG: _TAGGING,
    ActionKind.MARK_FOR_OP: _TAGGING,
    ActionKind.STOP: _STOP,
    ActionKind.QUARANTINE: _QUARANTINE,
    **_REVERSIBLE,
}
