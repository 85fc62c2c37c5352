"""The IAM policies the deployed stack gives each function's role, resolved for a test.

SAM, not the template, writes the roles: it adds the managed policies of the function's event
sources (SQS polling, logs, X-Ray) and would expand policy templates (DynamoDBCrudPolicy …).
Re-implementing that would test our copy of SAM, so aws-sam-translator itself (in the SAM
virtualenv, `make tools`) translates the template once in a subprocess (sam_translate.py);
the JSON is cached on disk by the hash of its inputs, so every pytest worker shares one run.
The intrinsics left in the roles (!Sub, !Ref, !GetAtt, !If on the template's conditions) are
then resolved here to the test's account, region and resource names, as CloudFormation would
resolve them. AWS managed policies are taken from moto's copy of AWS's documents and given to
the role inline: loading every managed policy into moto on each reset takes seconds.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import orjson
import pytest

from tests.functions.aws.sam_template import TEMPLATE
from tests.support.moto_iam import Session, acting_as, create_role

TRANSLATE = Path(__file__).with_name("sam_translate.py")
SAM_PYTHON = TEMPLATE.parents[2] / ".venv-tools" / "sam" / "bin" / "python"
ACCOUNT = "123456789012"
REGION = "us-east-1"
_NO_VALUE = object()
_SUB = re.compile(r"\$\{([^}!][^}]*)\}")


def translated(parameters: Mapping[str, str]) -> dict[str, Any]:
    """The template as CloudFormation receives it from SAM, with these parameter values."""
    return _translated(tuple(sorted(parameters.items())))


@cache
def _translated(parameters: tuple[tuple[str, str], ...]) -> dict[str, Any]:
    if not SAM_PYTHON.exists():
        pytest.skip(f"{SAM_PYTHON} is not installed; run `make tools`")
    given = orjson.dumps(dict(parameters)).decode()
    digest = hashlib.sha256()
    for part in (TEMPLATE.read_bytes(), TRANSLATE.read_bytes(), given.encode()):
        digest.update(part)
    cached = Path(tempfile.gettempdir()) / f"costplane-sam-{digest.hexdigest()[:16]}.json"
    if not cached.exists():
        env = {**os.environ, "AWS_DEFAULT_REGION": REGION, "SAM_CLI_TELEMETRY": "0"}
        env.pop("AWS_ENDPOINT_URL", None)
        result = subprocess.run(
            [str(SAM_PYTHON), str(TRANSLATE), str(TEMPLATE), given],
            capture_output=True,
            env=env,
            timeout=120,
            check=True,
        )
        partial = cached.with_suffix(f".{os.getpid()}")
        partial.write_bytes(result.stdout)
        partial.replace(cached)  # atomic: a worker reading it never sees half of it
    document: dict[str, Any] = orjson.loads(cached.read_bytes())
    return document


@dataclass
class Deployment:
    """One stack in the test's account: parameter values and the physical names of its
    resources (a table's name, a topic's ARN …); a resource not named is named after its
    logical id, as the function tests create them."""

    parameters: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)

    def role_policies(self, function: str) -> dict[str, dict[str, Any]]:
        """Every policy of `function`'s role by name, resolved: inline ones as SAM wrote
        them, managed ones as AWS publishes them."""
        document = translated(self.parameters)
        resolver = _Resolver(document, self)
        role = document["Resources"][f"{function}Role"]["Properties"]
        policies = {
            p["PolicyName"]: resolver.resolve(p["PolicyDocument"]) for p in role.get("Policies", [])
        }
        for arn in role.get("ManagedPolicyArns", []):
            policies[arn.rsplit("/", 1)[-1]] = _managed(arn)
        return policies


def _managed(arn: str) -> dict[str, Any]:
    found: dict[str, Any] = _aws_managed_policies()[arn.rsplit("/", 1)[-1]]
    return dict(found["Document"])


@cache
def _aws_managed_policies() -> dict[str, Any]:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    found: dict[str, Any] = orjson.loads(aws_managed_policies_data)
    return found


class _Resolver:
    """CloudFormation's intrinsics, for the values IAM policies hold."""

    def __init__(self, document: dict[str, Any], deployment: Deployment) -> None:
        self.resources: dict[str, Any] = document["Resources"]
        self.conditions: dict[str, Any] = document.get("Conditions", {})
        declared = document.get("Parameters", {})
        self.parameters = {
            name: str(deployment.parameters.get(name, spec.get("Default", "")))
            for name, spec in declared.items()
        } | {
            "AWS::AccountId": ACCOUNT,
            "AWS::Region": REGION,
            "AWS::Partition": "aws",
            "AWS::URLSuffix": "amazonaws.com",
        }
        self.names = deployment.names

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [v for v in (self.resolve(item) for item in value) if v is not _NO_VALUE]
        if not isinstance(value, dict):
            return value
        if len(value) == 1:
            ((key, arg),) = value.items()
            if key == "Ref":
                return self.ref(arg)
            if key == "Fn::GetAtt":
                name, attribute = arg if isinstance(arg, list) else arg.split(".", 1)
                return self.attribute(name, attribute)
            if key == "Fn::Sub":
                return self.sub(*arg) if isinstance(arg, list) else self.sub(arg, {})
            if key == "Fn::If":
                condition, yes, no = arg
                return self.resolve(yes if self.holds(condition) else no)
            if key == "Fn::Join":
                separator, parts = arg
                return separator.join(self.resolve(parts))
            if key.startswith("Fn::"):
                raise NotImplementedError(key)
        resolved = {k: self.resolve(v) for k, v in value.items()}
        return {k: v for k, v in resolved.items() if v is not _NO_VALUE}

    def holds(self, condition: str) -> bool:
        return self.truth(self.conditions[condition])

    def truth(self, expression: Any) -> bool:
        ((key, arg),) = expression.items()
        if key == "Fn::Equals":
            left, right = (self.resolve(side) for side in arg)
            return bool(left == right)
        if key == "Fn::Not":
            return not self.truth(arg[0])
        if key == "Fn::And":
            return all(self.truth(a) for a in arg)
        if key == "Fn::Or":
            return any(self.truth(a) for a in arg)
        if key == "Condition":
            return self.holds(arg)
        raise NotImplementedError(key)

    def ref(self, name: str) -> Any:
        if name == "AWS::NoValue":
            return _NO_VALUE
        if name in self.parameters:
            return self.parameters[name]
        body = self.resources[name]
        if name in self.names:
            return self.names[name]
        if body["Type"] == "AWS::SNS::Topic":
            return f"arn:aws:sns:{REGION}:{ACCOUNT}:{name}"
        if body["Type"] == "AWS::Glue::Database":
            return self.resolve(body["Properties"]["DatabaseInput"]["Name"])
        return name

    def attribute(self, name: str, attribute: str) -> str:
        kind, physical = self.resources[name]["Type"], str(self.ref(name))
        arns = {
            "AWS::DynamoDB::Table": f"arn:aws:dynamodb:{REGION}:{ACCOUNT}:table/{physical}",
            "AWS::S3::Bucket": f"arn:aws:s3:::{physical}",
            "AWS::KMS::Key": f"arn:aws:kms:{REGION}:{ACCOUNT}:key/{physical}",
            "AWS::SQS::Queue": f"arn:aws:sqs:{REGION}:{ACCOUNT}:{physical}",
            "AWS::SNS::Topic": physical,
            "AWS::Lambda::Function": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{physical}",
            "AWS::Events::Rule": f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{physical}",
        }
        if attribute == "Arn" and kind in arns:
            return arns[kind]
        if attribute == "QueueName":
            return physical
        raise NotImplementedError(f"{name}.{attribute}")

    def sub(self, text: str, variables: dict[str, Any]) -> str:
        given = {k: self.resolve(v) for k, v in variables.items()}

        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in given:
                return str(given[name])
            if "." in name and not name.startswith("AWS::"):
                return self.attribute(*name.split(".", 1))
            return str(self.ref(name))

        return _SUB.sub(value, text).replace("${!", "${")


@contextmanager
def as_function(
    function: str, endpoint: str, session: Session, deployment: Deployment | None = None
) -> Iterator[Session]:
    """Run the block as `function` runs when deployed: in a role with exactly the policies
    the template gives it, IAM enforced. Load the function's module inside the block."""
    policies = (deployment or Deployment()).role_policies(function)
    with acting_as(endpoint, create_role(endpoint, f"{function}Role", policies), session):
        yield session
