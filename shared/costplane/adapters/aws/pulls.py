"""What the AI usage pull needs on AWS: the admin keys from Secrets Manager, read on each run
(a rotated key is used at once, and no key sits in the function's configuration), and S3 to
land the reports in the bill bucket."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from costplane.adapters.aws.clients import client

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client


def secret_string(secret_id: str) -> str:
    """The secret's current value (its AWSCURRENT version)."""
    return str(client("secretsmanager", None).get_secret_value(SecretId=secret_id)["SecretString"])


class S3Writer:
    """Lands a report as one S3 object, replacing the last run's."""

    def __init__(self, s3: S3Client | None = None) -> None:
        self._s3 = s3

    def put(self, uri: str, body: bytes) -> None:
        parts = urlsplit(uri)
        s3 = self._s3 or client("s3", None)
        s3.put_object(
            Bucket=parts.netloc,
            Key=parts.path.removeprefix("/"),
            Body=body,
            ContentType="application/json",
        )
