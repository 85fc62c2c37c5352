"""What IAM authorizes for one AWS API call: its action and the resource ARNs it acts on.

The Service Authorization Reference names an action per operation (mostly the operation's
own name under the service's IAM prefix) and says which resource types it can be scoped to.
Operations without resource-level permissions (describes, the tagging API's GetResources,
Auto Scaling's describes) authorize against "*", so only a statement with Resource "*"
allows them, exactly as in AWS. Written for the calls costplane makes; an operation missing
here authorizes against "*" too, which can only make a scoped policy fail, never pass.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

# botocore's service name -> IAM's service prefix, where they differ.
_PREFIX = {"resourcegroupstaggingapi": "tag", "elbv2": "elasticloadbalancing"}

# Operations whose IAM action is not the operation's own name.
_ACTIONS = {
    ("s3", "ListObjectsV2"): "s3:ListBucket",
    ("s3", "ListObjects"): "s3:ListBucket",
    ("s3", "HeadBucket"): "s3:ListBucket",
    ("s3", "HeadObject"): "s3:GetObject",
    ("s3", "DeleteBucketTagging"): "s3:PutBucketTagging",
    ("s3", "CreateMultipartUpload"): "s3:PutObject",
    ("s3", "UploadPart"): "s3:PutObject",
    ("s3", "CompleteMultipartUpload"): "s3:PutObject",
    ("s3", "AbortMultipartUpload"): "s3:AbortMultipartUpload",
    ("s3", "DeleteObjects"): "s3:DeleteObject",
}

# Calls that need no permission at all.
FREE = frozenset({"sts:GetCallerIdentity"})

Params = Mapping[str, Any]
Arns = Callable[[str, Params, str, str], list[str]]

_EC2_TYPES = {
    "i": "instance",
    "sg": "security-group",
    "eni": "network-interface",
    "vpc": "vpc",
    "subnet": "subnet",
    "vol": "volume",
    "nat": "natgateway",
    "ami": "image",
    "snap": "snapshot",
}


def iam_action(service: str, operation: str) -> str:
    """`ec2`, `CreateTags` -> `ec2:CreateTags`; `resourcegroupstaggingapi` -> `tag:…`."""
    return _ACTIONS.get((service, operation)) or f"{_PREFIX.get(service, service)}:{operation}"


def _ec2(operation: str, params: Params, region: str, account: str) -> list[str]:
    def arn(resource_id: str) -> str:
        kind = _EC2_TYPES.get(resource_id.split("-", 1)[0], "*")
        return f"arn:aws:ec2:{region}:{account}:{kind}/{resource_id}"

    if operation.startswith("Describe"):
        return ["*"]
    if operation in ("CreateTags", "DeleteTags"):
        return [arn(r) for r in params["Resources"]]
    if operation in ("StopInstances", "StartInstances"):
        return [arn(r) for r in params["InstanceIds"]]
    if operation == "ModifyNetworkInterfaceAttribute":
        return [arn(params["NetworkInterfaceId"])]
    if operation == "CreateSecurityGroup":
        return [arn(params["VpcId"]), f"arn:aws:ec2:{region}:{account}:security-group/*"]
    if "GroupId" in params:
        return [arn(params["GroupId"])]
    return ["*"]


def _dynamodb(operation: str, params: Params, region: str, account: str) -> list[str]:
    def arn(table: str, index: str | None = None) -> str:
        suffix = f"/index/{index}" if index else ""
        return f"arn:aws:dynamodb:{region}:{account}:table/{table}{suffix}"

    if operation == "TransactWriteItems":
        return sorted(
            {arn(body["TableName"]) for item in params["TransactItems"] for body in item.values()}
        )
    if operation in ("BatchWriteItem", "BatchGetItem"):
        return [arn(table) for table in params["RequestItems"]]
    return [arn(params["TableName"], params.get("IndexName"))]


def _lambda(operation: str, params: Params, region: str, account: str) -> list[str]:
    name = params.get("FunctionName") or params.get("Resource") or "*"
    if name.startswith("arn:"):
        return [name]
    return [f"arn:aws:lambda:{region}:{account}:function:{name}"]


def _autoscaling(operation: str, params: Params, region: str, account: str) -> list[str]:
    """A group's ARN holds an id the caller does not know; "*" stands for it, as the
    template's patterns wildcard it too."""
    if operation.startswith("Describe"):
        return ["*"]
    names = [t["ResourceId"] for t in params.get("Tags", [])] or [
        params.get("AutoScalingGroupName", "*")
    ]
    return [
        f"arn:aws:autoscaling:{region}:{account}:autoScalingGroup:*:autoScalingGroupName/{name}"
        for name in names
    ]


def _rds(operation: str, params: Params, region: str, account: str) -> list[str]:
    if "ResourceName" in params:
        return [params["ResourceName"]]
    if name := params.get("DBInstanceIdentifier"):
        return [f"arn:aws:rds:{region}:{account}:db:{name}"]
    return ["*"]


def _sagemaker(operation: str, params: Params, region: str, account: str) -> list[str]:
    def arn(kind: str, name: str) -> str:
        return f"arn:aws:sagemaker:{region}:{account}:{kind}/{name.lower()}"

    found = []
    if "ResourceArn" in params:
        found.append(params["ResourceArn"])
    if "EndpointName" in params:
        found.append(arn("endpoint", params["EndpointName"]))
    if "EndpointConfigName" in params:
        found.append(arn("endpoint-config", params["EndpointConfigName"]))
    if "TrainingJobName" in params:
        found.append(arn("training-job", params["TrainingJobName"]))
    return found or ["*"]


def _iam(operation: str, params: Params, region: str, account: str) -> list[str]:
    if "RoleName" in params:
        return [f"arn:aws:iam::{account}:role/{params['RoleName']}"]
    if "UserName" in params:
        return [f"arn:aws:iam::{account}:user/{params['UserName']}"]
    if "PolicyArn" in params:
        return [params["PolicyArn"]]
    if operation == "CreatePolicy":
        path = params.get("Path", "/")
        return [f"arn:aws:iam::{account}:policy{path}{params['PolicyName']}"]
    return ["*"]


def _glue(operation: str, params: Params, region: str, account: str) -> list[str]:
    base = f"arn:aws:glue:{region}:{account}"
    database = (
        params.get("DatabaseName")
        or params.get("DatabaseInput", {}).get("Name")
        or params.get("Name")
    )
    found = [f"{base}:catalog", f"{base}:database/{database}"]
    if operation == "GetTables":
        found.append(f"{base}:table/{database}/*")
    elif table := params.get("TableInput", {}).get("Name") or (
        params.get("Name") if "DatabaseName" in params else None
    ):
        found.append(f"{base}:table/{database}/{table}")
    return found


def _sns(operation: str, params: Params, region: str, account: str) -> list[str]:
    return [params.get("TopicArn", "*")]


def _kms(operation: str, params: Params, region: str, account: str) -> list[str]:
    key = params.get("KeyId", "*")
    return [key if key.startswith("arn:") else f"arn:aws:kms:{region}:{account}:key/{key}"]


def _elbv2(operation: str, params: Params, region: str, account: str) -> list[str]:
    return ["*"] if operation.startswith("Describe") else list(params["ResourceArns"])


def _eks(operation: str, params: Params, region: str, account: str) -> list[str]:
    if "resourceArn" in params:
        return [params["resourceArn"]]
    cluster = f"arn:aws:eks:{region}:{account}:cluster/{params.get('name', '*')}"
    return [cluster]


def _secretsmanager(operation: str, params: Params, region: str, account: str) -> list[str]:
    """A secret named by its name: its ARN ends in "-" and six random characters, which a
    policy matches with `-??????`; the test's stand-in characters are "-abcdef"."""
    secret = params.get("SecretId", "*")
    if secret.startswith("arn:"):
        return [secret]
    return [f"arn:aws:secretsmanager:{region}:{account}:secret:{secret}-abcdef"]


_RESOURCES: dict[str, Arns] = {
    "ec2": _ec2,
    "dynamodb": _dynamodb,
    "lambda": _lambda,
    "autoscaling": _autoscaling,
    "rds": _rds,
    "sagemaker": _sagemaker,
    "iam": _iam,
    "glue": _glue,
    "sns": _sns,
    "kms": _kms,
    "elbv2": _elbv2,
    "eks": _eks,
    "secretsmanager": _secretsmanager,
}


def resources(service: str, operation: str, params: Params, region: str, account: str) -> list[str]:
    """The ARNs IAM checks the call against; S3 is left to moto, which derives them itself.
    A call this module does not describe (a test's own setup) is checked against "*"."""
    found = _RESOURCES.get(service)
    try:
        return found(operation, params, region, account) if found else ["*"]
    except KeyError:
        return ["*"]
