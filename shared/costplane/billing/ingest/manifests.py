"""Delivery manifests: the parts of one multi-part delivery (CUR 2.0 `dataFiles`, legacy CUR
`reportKeys`, Azure Cost Management `blobs[].blobName`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import orjson

MANIFEST_NAME = "manifest.json"
"""Delivery manifests end so: `<export>-Manifest.json` (CUR), `manifest.json` (Azure)."""


class ManifestError(ValueError):
    """A delivery manifest that lists no data files we can read."""


def is_manifest(uri: str) -> bool:
    return uri.lower().endswith(MANIFEST_NAME)


def manifest_parts(uri: str, document: bytes) -> list[str]:
    """The URIs of the data files a delivery manifest lists."""
    try:
        body = orjson.loads(document)
    except orjson.JSONDecodeError as exc:
        raise ManifestError(f"{uri}: not JSON: {exc}") from None
    if not isinstance(body, dict):
        raise ManifestError(f"{uri}: not a JSON object")
    scheme = urlsplit(uri).scheme
    if isinstance(body.get("dataFiles"), list):
        parts = body["dataFiles"]
    elif isinstance(body.get("reportKeys"), list) and isinstance(body.get("bucket"), str):
        parts = [f"{scheme}://{body['bucket']}/{key}" for key in body["reportKeys"]]
    elif isinstance(body.get("blobs"), list):
        root = container_root(uri)
        parts = [root + b["blobName"] if isinstance(b, dict) else b for b in body["blobs"]]
    else:
        raise ManifestError(f"{uri}: lists no data files (dataFiles, reportKeys or blobs)")
    bad = [p for p in parts if not isinstance(p, str) or urlsplit(p).scheme != scheme]
    if bad:
        raise ManifestError(f"{uri}: not {scheme}:// objects: {bad[:3]}")
    return list(parts)


def container_root(uri: str) -> str:
    """s3://bucket/, gs://bucket/; a blob URL's container is the first segment of its path."""
    parts = urlsplit(uri)
    root = f"{parts.scheme}://{parts.netloc}/"
    return root + parts.path.split("/")[1] + "/" if parts.scheme in ("http", "https") else root
