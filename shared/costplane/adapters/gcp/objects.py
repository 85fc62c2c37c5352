"""Cloud Storage for cost ingest over the JSON API: listings and streamed media downloads.

Objects are addressed as gs://<bucket>/<name>; the function's service account needs
roles/storage.objectViewer on the export bucket.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import quote

from costplane.adapters.azure.blobs import stream_to_file
from costplane.adapters.gcp.uploads import bucket_and_name
from costplane.adapters.rest import RestClient, body_of
from costplane.billing.ingest import StoredObject

STORAGE = "https://storage.googleapis.com/storage/v1"
LIST_FIELDS = "items(name,size,updated),nextPageToken"


class GcsObjects:
    """The objects of any bucket the service account may read."""

    schemes: tuple[str, ...] = ("gs",)

    def __init__(self, rest: RestClient) -> None:
        self.rest = rest

    def download(self, uri: str, target: Path) -> None:
        bucket, name = bucket_and_name(uri)
        url = f"{STORAGE}/b/{quote(bucket, safe='')}/o/{quote(name, safe='')}"
        stream_to_file(self.rest, url, target, params={"alt": "media"})

    def listing(self, location: str) -> Iterator[StoredObject]:
        bucket, prefix = bucket_and_name(location)
        url = f"{STORAGE}/b/{quote(bucket, safe='')}/o"
        params = {"prefix": prefix, "fields": LIST_FIELDS}
        while True:
            page = body_of(self.rest.call("GET", url, resource=location, params=params))
            for item in page.get("items", ()):
                yield StoredObject(
                    f"gs://{bucket}/{item['name']}",
                    int(item["size"]),
                    datetime.fromisoformat(item["updated"]),
                )
            token = page.get("nextPageToken")
            if not token:
                return
            params = {**params, "pageToken": token}
