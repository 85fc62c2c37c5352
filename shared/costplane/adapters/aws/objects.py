"""S3 for cost ingest: the objects an event announces, listings, and streamed downloads.

Parsing events needs no SDK; boto3 is imported with the first client. Downloads go through
s3transfer (`download_file`): ranged GETs in parallel, written straight to disk, so a bill of
any size never sits in memory. Throttling and other S3 errors propagate after botocore's own
retries: the function raises and Lambda retries the invocation.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus, urlsplit

from costplane.adapters.aws.clients import client, error_code
from costplane.billing.ingest import ObjectMissing, StoredObject

if TYPE_CHECKING:
    from mypy_boto3_s3.client import S3Client

MISSING = frozenset({"404", "NoSuchKey"})
"""`download_file` HEADs first (a bare 404); GetObject says NoSuchKey."""


def created_objects(event: Mapping[str, Any]) -> list[str] | None:
    """The s3:// URIs of the objects an event says were created; None for a scheduled run.

    S3 event notifications (`Records`, keys URL-encoded) and EventBridge `Object Created`
    events; EventBridge rules and EventBridge Scheduler send `Scheduled Event`s. Anything else
    (e.g. ObjectRemoved records) announces nothing.
    """
    detail_type = event.get("detail-type")
    if detail_type == "Scheduled Event":
        return None
    if detail_type == "Object Created" and event.get("source") == "aws.s3":
        detail = event["detail"]
        return [_uri(detail["bucket"]["name"], detail["object"]["key"])]
    return [
        _uri(record["s3"]["bucket"]["name"], record["s3"]["object"]["key"])
        for record in event.get("Records") or ()
        if record.get("eventSource") == "aws:s3"
        and str(record.get("eventName", "")).startswith("ObjectCreated:")
    ]


def _uri(bucket: str, encoded_key: str) -> str:
    return f"s3://{bucket}/{unquote_plus(encoded_key)}"


def _bucket_and_key(uri: str) -> tuple[str, str]:
    parts = urlsplit(uri)
    return parts.netloc, parts.path.removeprefix("/")


class S3Objects:
    """The S3 objects of one account, through the process-wide client."""

    schemes: tuple[str, ...] = ("s3",)

    def __init__(self, s3: S3Client | None = None) -> None:
        self._s3 = s3

    @property
    def s3(self) -> S3Client:
        return self._s3 or client("s3", None)

    def download(self, uri: str, target: Path) -> None:
        bucket, key = _bucket_and_key(uri)
        try:
            self.s3.download_file(bucket, key, str(target))
        except Exception as exc:
            if error_code(exc) in MISSING:
                raise ObjectMissing(f"{uri} does not exist") from exc
            raise

    def listing(self, location: str) -> Iterator[StoredObject]:
        bucket, prefix = _bucket_and_key(location)
        pages = self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        for page in pages:
            for item in page.get("Contents", ()):
                yield StoredObject(
                    f"s3://{bucket}/{item['Key']}", item["Size"], item["LastModified"]
                )
