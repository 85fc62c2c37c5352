"""Cloud Storage writes over the JSON API (a simple media upload): the AI usage pull lands its
reports in the bill bucket. The service account needs roles/storage.objectCreator and, to
replace last run's object, roles/storage.objectUser (or objectAdmin) on that prefix."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

from costplane.adapters.rest import RestClient

UPLOAD = "https://storage.googleapis.com/upload/storage/v1"


def bucket_and_name(uri: str) -> tuple[str, str]:
    parts = urlsplit(uri)
    return parts.netloc, parts.path.removeprefix("/")


class GcsWriter:
    """Lands a report as one object, replacing the last run's."""

    def __init__(self, rest: RestClient) -> None:
        self.rest = rest

    def put(self, uri: str, body: bytes) -> None:
        bucket, name = bucket_and_name(uri)
        url = f"{UPLOAD}/b/{quote(bucket, safe='')}/o"
        params = {"uploadType": "media", "name": name}
        headers = {"Content-Type": "application/json"}
        self.rest.call("POST", url, resource=uri, params=params, content=body, headers=headers)
