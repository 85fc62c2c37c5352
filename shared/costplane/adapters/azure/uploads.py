"""Blob writes over REST (Put Blob): the AI usage pull lands its reports in the bill container.
The function's identity needs Storage Blob Data Contributor there."""

from __future__ import annotations

from datetime import UTC
from email.utils import format_datetime
from urllib.parse import quote, urlsplit

from costplane.adapters.rest import RestClient
from costplane.engine.ports import Clock

BLOB_API_VERSION = "2023-11-03"


def blob_headers(clock: Clock) -> dict[str, str]:
    """The Blob service's version and date headers every request carries."""
    return {
        "x-ms-version": BLOB_API_VERSION,
        "x-ms-date": format_datetime(clock.now().astimezone(UTC), usegmt=True),
    }


class AzureBlobWriter:
    """Lands a report as one block blob, replacing the last run's."""

    def __init__(self, rest: RestClient, clock: Clock) -> None:
        self.rest = rest
        self.clock = clock

    def put(self, uri: str, body: bytes) -> None:
        parts = urlsplit(uri)
        url = f"https://{parts.netloc}{quote(parts.path)}"
        headers = {
            **blob_headers(self.clock),
            "x-ms-blob-type": "BlockBlob",
            "Content-Type": "application/json",
        }
        self.rest.call("PUT", url, resource=uri, content=body, headers=headers, expect=(201,))
