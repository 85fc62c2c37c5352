"""Actions on the resource itself, each carried out by the provider's enforcer."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar, Literal

from pydantic import Field

from costplane.domain.action_params import ActionParams
from costplane.domain.decisions import Action, ActionKind
from costplane.domain.marks import Mark
from costplane.policy.facts import Facts
from costplane.policy.registry import PolicyAction, StaticAction, action


class NoParams(ActionParams):
    pass


@action("throttle")
class Throttle(StaticAction):
    """Cut capacity without losing state: Lambda reserved concurrency 0, Auto Scaling or a
    scale set to 0, a GKE node pool to 0, an Azure OpenAI deployment to its least capacity.
    The previous capacity is kept for `resume`.

    Example:
        type: throttle
    """

    Params = NoParams
    kind = ActionKind.THROTTLE
    permissions: ClassVar = {
        "aws": (
            "autoscaling:DescribeAutoScalingGroups",
            "autoscaling:UpdateAutoScalingGroup",
            "autoscaling:CreateOrUpdateTags",
            "autoscaling:DeleteTags",
            "lambda:GetFunctionConcurrency",
            "lambda:PutFunctionConcurrency",
            "lambda:DeleteFunctionConcurrency",
            "lambda:ListTags",
            "lambda:TagResource",
            "lambda:UntagResource",
        ),
        "azure": (
            "Microsoft.Compute/virtualMachineScaleSets/read",
            "Microsoft.Compute/virtualMachineScaleSets/write",
            "Microsoft.CognitiveServices/accounts/deployments/read",
            "Microsoft.CognitiveServices/accounts/deployments/write",
            "Microsoft.Resources/tags/read",
            "Microsoft.Resources/tags/write",
        ),
        "gcp": (
            "container.clusters.get",
            "container.clusters.update",
            "container.operations.get",
            "compute.instanceGroupManagers.get",
        ),
    }


@action("suspend")
class Suspend(StaticAction):
    """Stop the resource (EC2 stop, VM deallocate, GCE stop) or deny its principal new spend;
    deny invoking a Bedrock inference profile; turn off an Azure OpenAI account's API keys;
    undeploy a Vertex AI endpoint's models, or deny a Model Garden model in its project.

    Example:
        type: suspend
    """

    Params = NoParams
    kind = ActionKind.SUSPEND
    permissions: ClassVar = {
        "aws": (
            "ec2:DescribeInstances",
            "ec2:StopInstances",
            "ec2:StartInstances",
            "ec2:CreateTags",
            "ec2:DeleteTags",
            "iam:GetPolicy",
            "iam:CreatePolicy",
            "iam:AttachRolePolicy",
            "iam:DetachRolePolicy",
            "iam:ListAttachedRolePolicies",
            "iam:ListRoleTags",
            "iam:AttachUserPolicy",
            "iam:DetachUserPolicy",
            "iam:ListAttachedUserPolicies",
            "iam:ListUserTags",
            "iam:TagRole",
            "iam:UntagRole",
            "iam:TagUser",
            "iam:UntagUser",
            "iam:ListRoles",
            "iam:ListUsers",
            "iam:ListEntitiesForPolicy",
            "iam:DeletePolicy",
        ),
        "azure": (
            "Microsoft.Compute/virtualMachines/read",
            "Microsoft.Compute/virtualMachines/deallocate/action",
            "Microsoft.Compute/virtualMachines/start/action",
            "Microsoft.CognitiveServices/accounts/read",
            "Microsoft.CognitiveServices/accounts/write",
            "Microsoft.Resources/tags/read",
            "Microsoft.Resources/tags/write",
        ),
        "gcp": (
            "compute.instances.get",
            "compute.instances.stop",
            "compute.instances.start",
            "compute.instances.setLabels",
            "aiplatform.endpoints.get",
            "aiplatform.endpoints.update",
            "aiplatform.endpoints.undeploy",
            "aiplatform.endpoints.deploy",
            "aiplatform.models.deploy",
            "orgpolicy.policy.get",
            "orgpolicy.policies.create",
            "orgpolicy.policies.update",
            "orgpolicy.policies.delete",
        ),
    }


class DecommissionParams(ActionParams):
    keep_config: bool = Field(True, description="Keep what is needed to recreate it.")


@action("decommission")
class Decommission(StaticAction):
    """Delete what bills by the hour and keep its configuration (a SageMaker endpoint goes,
    its endpoint config stays), so that `resume` can bring it back. A Bedrock application
    inference profile or no-commitment provisioned throughput is deleted for good: its undo
    state is the configuration to recreate it by hand. A Vertex AI endpoint's models are
    undeployed, their configuration kept to deploy them again.

    Example:
        type: decommission
        keep_config: true
    """

    Params = DecommissionParams
    kind = ActionKind.DECOMMISSION
    providers = frozenset({"aws", "gcp"})
    permissions: ClassVar = {
        "aws": (
            "sagemaker:DescribeEndpoint",
            "sagemaker:DescribeEndpointConfig",
            "sagemaker:ListTags",
            "sagemaker:AddTags",
            "sagemaker:DeleteTags",
            "sagemaker:DeleteEndpoint",
            "sagemaker:CreateEndpoint",
            "tag:GetResources",
            "bedrock:GetInferenceProfile",
            "bedrock:DeleteInferenceProfile",
            "bedrock:GetProvisionedModelThroughput",
            "bedrock:DeleteProvisionedModelThroughput",
            "bedrock:ListTagsForResource",
        ),
        "gcp": (
            "aiplatform.endpoints.get",
            "aiplatform.endpoints.update",
            "aiplatform.endpoints.undeploy",
            "aiplatform.endpoints.deploy",
            "aiplatform.models.deploy",
        ),
    }


class TagParams(ActionParams):
    tags: dict[str, str] = Field(min_length=1)


@action("tag")
class Tag(StaticAction):
    """Set tags (labels on GCP) on the resource.

    Example:
        type: tag
        tags: {costplane-reviewed: "true"}
    """

    Params = TagParams
    kind = ActionKind.TAG
    permissions: ClassVar = {
        # Each service's own tagging call (costplane.adapters.aws.enforcer), and the
        # describes that find the ARN of a SageMaker resource or an EKS nodegroup.
        "aws": (
            "ec2:CreateTags",
            "s3:GetBucketTagging",
            "s3:PutBucketTagging",
            "rds:AddTagsToResource",
            "lambda:TagResource",
            "sagemaker:DescribeEndpoint",
            "sagemaker:DescribeTrainingJob",
            "sagemaker:AddTags",
            "eks:DescribeNodegroup",
            "eks:TagResource",
            "elasticloadbalancing:AddTags",
            "bedrock:TagResource",
        ),
        "azure": ("Microsoft.Resources/tags/write",),
        "gcp": ("compute.instances.setLabels",),
    }


class MarkForOpParams(ActionParams):
    op: Literal["stop", "quarantine", "suspend", "throttle", "decommission"]
    after: timedelta = Field(timedelta(hours=24), description="ISO 8601 duration.")
    tag: str = "costplane-op"


@action("mark-for-op")
class MarkForOp(PolicyAction):
    """Schedule `op` in a tag, to run `after` from now if the resource still matches.

    Example:
        type: mark-for-op
        op: stop
        after: P1D
    """

    Params = MarkForOpParams
    params: MarkForOpParams
    permissions: ClassVar = Tag.permissions

    def plan(self, facts: Facts) -> Action:
        at = facts.now + self.params.after
        mark = Mark(ActionKind(self.params.op), at)
        return Action(
            kind=ActionKind.MARK_FOR_OP,
            params={"tag": self.params.tag, "value": mark.encode(), "op": self.params.op, "at": at},
        )
