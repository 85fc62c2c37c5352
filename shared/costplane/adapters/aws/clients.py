"""boto3 clients, created once per (service, region) and kept for the life of the process.

A warm Lambda reuses its clients and their connection pools; Cloud Custodian builds new ones
for every event, which is most of its per-event cost. boto3 is imported on the first client,
never at package import, so parsing events stays free of it. AWS_ENDPOINT_URL (and the
service-specific AWS_ENDPOINT_URL_<SERVICE>) is honoured by boto3 itself.

Not-found errors are translated into `ResourceGone` here, per resource type, because each
service spells "it does not exist" differently.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, Literal, overload

from costplane.engine.ports import ResourceGone, ResourceRef

if TYPE_CHECKING:
    from boto3.session import Session
    from mypy_boto3_dynamodb.client import DynamoDBClient
    from mypy_boto3_ec2.client import EC2Client
    from mypy_boto3_lambda.client import LambdaClient
    from mypy_boto3_s3.client import S3Client
    from mypy_boto3_sagemaker.client import SageMakerClient

_lock = threading.Lock()
_session: Session | None = None
_clients: dict[tuple[str, str | None], Any] = {}

# (error code, message fragment) pairs that mean the resource does not exist; "" matches any.
# SageMaker answers a describe of a missing resource with a ValidationException.
_MISSING: dict[str, tuple[tuple[str, str], ...]] = {
    "aws.ec2.instance": (("InvalidInstanceID.NotFound", ""), ("InvalidInstanceID.Malformed", "")),
    "aws.ec2.natgateway": (("NatGatewayNotFound", ""), ("NatGatewayMalformed", "")),
    "aws.s3.bucket": (("NoSuchBucket", ""),),
    "aws.rds.db": (("DBInstanceNotFound", ""),),
    "aws.lambda.function": (("ResourceNotFoundException", ""),),
    "aws.sagemaker.endpoint": (("ValidationException", "not find"),),
    "aws.sagemaker.training-job": (
        ("ValidationException", "not find"),
        ("ValidationException", "not found"),
    ),
    "aws.eks.cluster": (("ResourceNotFoundException", ""),),
    "aws.eks.nodegroup": (("ResourceNotFoundException", ""),),
    "aws.elbv2.loadbalancer": (("LoadBalancerNotFound", ""),),
    "aws.bedrock.application-inference-profile": (("ResourceNotFoundException", ""),),
    "aws.bedrock.provisioned-model": (("ResourceNotFoundException", ""),),
}


@overload
def client(service: Literal["ec2"], region: str | None) -> EC2Client: ...
@overload
def client(service: Literal["s3"], region: str | None) -> S3Client: ...
@overload
def client(service: Literal["lambda"], region: str | None) -> LambdaClient: ...
@overload
def client(service: Literal["sagemaker"], region: str | None) -> SageMakerClient: ...
@overload
def client(service: Literal["dynamodb"], region: str | None) -> DynamoDBClient: ...
@overload
def client(service: str, region: str | None) -> Any: ...
def client(service: str, region: str | None) -> Any:
    """The process-wide client for `service` in `region` (None: the session's default region)."""
    key = (service, region)
    found = _clients.get(key)
    if found is None:
        with _lock:  # creating clients from one session is not thread-safe
            found = _clients.get(key)
            if found is None:
                found = _clients[key] = _create(service, region)
    return found


def _create(service: str, region: str | None) -> Any:
    global _session
    import boto3
    from botocore.config import Config

    if _session is None:
        _session = boto3.session.Session()
    config = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=5)
    return _session.client(service, region_name=region, config=config)  # type: ignore[call-overload]


def reset() -> None:
    """Forget every client, e.g. after the endpoint or credentials changed."""
    global _session
    with _lock:
        _clients.clear()
        _session = None


def error_code(exc: BaseException) -> str | None:
    """The AWS error code of a botocore ClientError, else None."""
    response = getattr(exc, "response", None)
    if not isinstance(response, dict):
        return None
    code = response.get("Error", {}).get("Code")
    return code if isinstance(code, str) else None


@contextmanager
def missing_is_gone(ref: ResourceRef) -> Iterator[None]:
    """Raise ResourceGone for the errors that mean `ref` does not exist; others pass through."""
    try:
        yield
    except Exception as exc:
        code, message = error_code(exc), str(exc)
        if any(
            code == want and fragment in message
            for want, fragment in _MISSING.get(ref.resource_type, ())
        ):
            raise ResourceGone(f"{ref.resource_type} {ref.resource_id}: {code}") from exc
        raise
