"""The mark sweep in infra/aws/template.yaml: scheduled, one at a time, within its time budget,
and granted exactly what it calls (the calls themselves are checked on the moto server by
tests/integration/aws_adapters/test_mark_sweep.py)."""

from __future__ import annotations

from tests.functions.aws.sam_template import TEMPLATE, resource, template

DECLARED = {
    # listing (costplane.adapters.aws.marked) and re-reading a due resource's tags (inventory)
    "tag:GetResources",
    "ec2:DescribeInstances",
    "ec2:DescribeNatGateways",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeTags",
    "elasticloadbalancing:DescribeTags",
    "rds:DescribeDBInstances",
    "lambda:ListTags",
    "sagemaker:DescribeEndpoint",
    "sagemaker:DescribeTrainingJob",
    "sagemaker:ListTags",
    "eks:DescribeCluster",
    "eks:DescribeNodegroup",
    "s3:GetBucketTagging",
    # unmarking (untag) on every type the enforcer tags
    "ec2:DeleteTags",
    "s3:PutBucketTagging",
    "rds:RemoveTagsFromResource",
    "lambda:UntagResource",
    "sagemaker:DeleteTags",
    "eks:UntagResource",
    "elasticloadbalancing:RemoveTags",
    # the operations a mark schedules: stop and quarantine (which records groups in a tag)
    "ec2:StopInstances",
    "rds:StopDBInstance",
    "ec2:CreateTags",
    "ec2:ModifyNetworkInterfaceAttribute",
    "ec2:CreateSecurityGroup",
    "ec2:RevokeSecurityGroupIngress",
    "ec2:RevokeSecurityGroupEgress",
    "lambda:TagResource",
    "lambda:GetFunctionConcurrency",
    "lambda:PutFunctionConcurrency",
    # claims of marks, the cursor (claims table), the audit log, notifications, the data key
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:DeleteItem",
    "sns:Publish",
    "kms:Decrypt",
    "kms:Encrypt",
    "kms:GenerateDataKey",
}


def statements() -> list[dict]:
    [policy] = resource("MarkSweepFunction")["Properties"]["Policies"]
    return list(policy["Statement"])


def actions(statement: dict) -> list[str]:
    listed = statement["Action"]
    return [listed] if isinstance(listed, str) else list(listed)


def test_the_sweep_is_granted_exactly_its_declared_permissions():
    assert {a for s in statements() for a in actions(s)} == DECLARED


def test_only_listing_and_describing_is_granted_on_every_resource():
    everywhere = {a for s in statements() if s["Resource"] == "*" for a in actions(s)}
    assert all(a.split(":")[1].startswith(("Describe", "Get")) for a in everywhere)


def test_the_sweep_runs_on_a_schedule_one_invocation_at_a_time_within_its_timeout():
    properties = resource("MarkSweepFunction")["Properties"]
    [event] = properties["Events"].values()
    assert event["Type"] == "ScheduleV2"
    assert event["Properties"]["ScheduleExpression"] == {"Ref": "SweepSchedule"}
    assert properties["ReservedConcurrentExecutions"] == 1
    budget = float(properties["Environment"]["Variables"]["COSTPLANE_SWEEP_BUDGET_SECONDS"])
    assert budget < properties["Timeout"]
    assert template()["Parameters"]["SweepSchedule"]["Default"] == "rate(5 minutes)"


def test_the_sweep_handler_is_the_function_module_s():
    properties = resource("MarkSweepFunction")["Properties"]
    code = TEMPLATE.parent / properties["CodeUri"] / "app.py"
    assert properties["Handler"] == "app.lambda_handler"
    assert "def lambda_handler" in code.read_text()
