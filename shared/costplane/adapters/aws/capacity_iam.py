"""Suspend an IAM role or user: attach a managed policy that denies starting new spend.

An explicit Deny wins over every Allow, so the principal keeps reading and stopping what it
runs but can launch, scale up or invoke nothing that bills by the hour or by the request
(Bedrock's Converse and ConverseStream are authorised as InvokeModel and its stream).
The policy is created once per account as `/costplane/costplane-deny-spend` and left as found
afterwards, so an operator may widen or narrow it. IAM is not denied, so the suspension can
always be lifted. `resume` detaches the policy; the principal's own policies are never touched.
"""

from __future__ import annotations

from collections.abc import Callable

import orjson

from costplane.adapters.aws.arns import is_arn, partition
from costplane.adapters.aws.capacity import gone_on
from costplane.adapters.aws.clients import client, error_code
from costplane.adapters.aws.inventory import tag_dict
from costplane.domain.decisions import ActionKind
from costplane.engine.ports import ResourceRef
from costplane.engine.undo import Reversible, TagRecord, Undo, reversible

DENY_POLICY_NAME = "costplane-deny-spend"
DENY_POLICY_PATH = "/costplane/"
SPEND_ACTIONS = (
    "autoscaling:CreateAutoScalingGroup",
    "autoscaling:SetDesiredCapacity",
    "autoscaling:UpdateAutoScalingGroup",
    "bedrock:CreateModelCustomizationJob",
    "bedrock:CreateModelInvocationJob",
    "bedrock:CreateProvisionedModelThroughput",
    "bedrock:InvokeModel",
    "bedrock:InvokeModelWithResponseStream",
    "ec2:CreateFleet",
    "ec2:CreateNatGateway",
    "ec2:CreateVolume",
    "ec2:RequestSpotFleet",
    "ec2:RequestSpotInstances",
    "ec2:RunInstances",
    "ec2:StartInstances",
    "ecs:CreateService",
    "ecs:RunTask",
    "ecs:UpdateService",
    "eks:CreateCluster",
    "eks:CreateNodegroup",
    "eks:UpdateNodegroupConfig",
    "elasticloadbalancing:CreateLoadBalancer",
    "lambda:CreateFunction",
    "lambda:InvokeFunction",
    "lambda:PutProvisionedConcurrencyConfig",
    "rds:CreateDBCluster",
    "rds:CreateDBInstance",
    "rds:StartDBCluster",
    "rds:StartDBInstance",
    "sagemaker:CreateEndpoint",
    "sagemaker:CreateNotebookInstance",
    "sagemaker:CreateProcessingJob",
    "sagemaker:CreateTrainingJob",
    "sagemaker:CreateTransformJob",
    "sagemaker:InvokeEndpoint",
    "sagemaker:StartNotebookInstance",
    "sagemaker:UpdateEndpoint",
)
DENY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "CostplaneDenySpend",
            "Effect": "Deny",
            "Action": list(SPEND_ACTIONS),
            "Resource": "*",
        }
    ],
}
_MISSING = ("NoSuchEntity",)


class _Principal:
    """The IAM calls for roles or for users, which differ only in names."""

    def __init__(self, noun: str) -> None:
        self.noun = noun
        self.name_arg = f"{noun}Name"
        self.lower = noun.lower()

    def call(self, verb: str, ref: ResourceRef, **args: object) -> dict[str, object]:
        method: Callable[..., dict[str, object]] = getattr(client("iam", None), verb)
        with gone_on(ref, *_MISSING):
            return method(**{self.name_arg: principal_name(ref)}, **args)

    def tags(self, ref: ResourceRef) -> dict[str, str]:
        found = self.call(f"list_{self.lower}_tags", ref)["Tags"]
        return tag_dict(found if isinstance(found, list) else [])

    def add_tags(self, ref: ResourceRef, tags: dict[str, str]) -> None:
        pairs = [{"Key": k, "Value": v} for k, v in tags.items()]
        self.call(f"tag_{self.lower}", ref, Tags=pairs)

    def remove_tags(self, ref: ResourceRef, keys: list[str]) -> None:
        self.call(f"untag_{self.lower}", ref, TagKeys=keys)

    def attach(self, ref: ResourceRef) -> None:
        self.call(f"attach_{self.lower}_policy", ref, PolicyArn=ensure_deny_policy(ref))

    def detach(self, ref: ResourceRef, state: Undo) -> None:
        """Detach the recorded policy if it is still attached (IAM cannot say "not attached")."""
        found = self.call(f"list_attached_{self.lower}_policies", ref)["AttachedPolicies"]
        attached = {p["PolicyArn"] for p in found} if isinstance(found, list) else set()
        if state["policy"] in attached:
            self.call(f"detach_{self.lower}_policy", ref, PolicyArn=state["policy"])

    def suspension(self) -> Reversible:
        return reversible(
            ActionKind.SUSPEND,
            TagRecord(self.tags, self.add_tags, self.remove_tags),
            capture=lambda ref: {"policy": deny_policy_arn(ref)},
            apply=self.attach,
            restore=self.detach,
        )


def principal_name(ref: ResourceRef) -> str:
    """`arn:aws:iam::123456789012:role/service/ingest` → `ingest` (names exclude the path)."""
    return ref.resource_id.rsplit("/", 1)[-1] if is_arn(ref.resource_id) else ref.resource_id


def deny_policy_arn(ref: ResourceRef) -> str:
    return (
        f"arn:{partition(ref.region or '')}:iam::{ref.account}:policy"
        f"{DENY_POLICY_PATH}{DENY_POLICY_NAME}"
    )


def ensure_deny_policy(ref: ResourceRef) -> str:
    """The account's deny-spend policy, created on first use; a concurrent creation is fine."""
    iam, arn = client("iam", None), deny_policy_arn(ref)
    try:
        iam.get_policy(PolicyArn=arn)
    except Exception as exc:
        if error_code(exc) not in _MISSING:
            raise
        try:
            iam.create_policy(
                PolicyName=DENY_POLICY_NAME,
                Path=DENY_POLICY_PATH,
                PolicyDocument=orjson.dumps(DENY_POLICY).decode(),
                Description="costplane suspend: denies starting new spend; detached on resume",
            )
        except Exception as create_exc:
            if error_code(create_exc) != "EntityAlreadyExists":
                raise
    return arn


ROLE_SUSPEND = _Principal("Role").suspension()
USER_SUSPEND = _Principal("User").suspension()
