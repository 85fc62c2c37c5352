"""Blob storage for cost ingest over REST: container listings and streamed downloads.

Objects are addressed by their blob URL, https://<account>.blob.core.windows.net/<container>/
<name>; the function's identity needs Storage Blob Data Reader on the export container.
`stream_to_file` is the REST download both Azure and GCP use (it belongs in adapters/rest.py).
"""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree
from collections.abc import Iterator, Mapping
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx

from costplane.adapters.azure.uploads import blob_headers
from costplane.adapters.rest import CloudUnreachable, RestClient, check
from costplane.billing.ingest import ObjectMissing, StoredObject
from costplane.engine.ports import Clock, ResourceGone

CHUNK_BYTES = 1 << 20


def stream_to_file(
    rest: RestClient,
    url: str,
    target: Path,
    *,
    params: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> None:
    """GET `url` into `target` chunk by chunk; ObjectMissing on a 404."""
    sent = {"Authorization": f"Bearer {rest.token.token()}", **(headers or {})}
    try:
        with rest.http.stream("GET", url, params=params, headers=sent) as response:
            if response.is_error:
                response.read()
                try:
                    check(response, url)
                except ResourceGone as exc:
                    raise ObjectMissing(str(exc)) from exc
            with target.open("wb") as out:
                for chunk in response.iter_bytes(CHUNK_BYTES):
                    out.write(chunk)
    except httpx.TransportError as exc:
        raise CloudUnreachable(f"GET {url} got no answer: {type(exc).__name__}: {exc}") from exc


class AzureBlobs:
    """The blobs of any storage account the identity may read."""

    schemes: tuple[str, ...] = ("https",)

    def __init__(self, rest: RestClient, clock: Clock) -> None:
        self.rest = rest
        self.clock = clock

    def download(self, uri: str, target: Path) -> None:
        parts = urlsplit(uri)
        url = f"https://{parts.netloc}{quote(parts.path)}"
        stream_to_file(self.rest, url, target, headers=self._headers())

    def listing(self, location: str) -> Iterator[StoredObject]:
        parts = urlsplit(location)
        container, _, prefix = parts.path.removeprefix("/").partition("/")
        root = f"https://{parts.netloc}/{container}"
        params = {"restype": "container", "comp": "list", "prefix": prefix}
        while True:
            response = self.rest.call(
                "GET", root, resource=root, params=params, headers=self._headers()
            )
            listing = ElementTree.fromstring(response.content)
            for blob in listing.iterfind("Blobs/Blob"):
                yield StoredObject(
                    f"{root}/{blob.findtext('Name')}",
                    int(blob.findtext("Properties/Content-Length") or 0),
                    parsedate_to_datetime(blob.findtext("Properties/Last-Modified") or ""),
                )
            marker = listing.findtext("NextMarker")
            if not marker:
                return
            params = {**params, "marker": marker}

    def _headers(self) -> dict[str, str]:
        return blob_headers(self.clock)
