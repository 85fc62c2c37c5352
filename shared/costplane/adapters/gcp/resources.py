"""Where each GCP resource type keeps its labels, and how to stop it: a registry by type.

Every Google API stores labels a little differently, in one of three ways:
- `PatchNulls`: PATCH merges the map on the server and a null value removes a key
  (Cloud Storage buckets, Cloud SQL `settings.userLabels`, BigQuery datasets);
- `Fingerprinted`: a POST replaces the whole map, guarded by the fingerprint of the map we read;
  a stale fingerprint (412, or 409) is re-read and retried once (Compute instances, GKE clusters);
- `MaskedReplace`: PATCH under a field mask of `labels` replaces the whole map: read, merge,
  write. The mask goes in the body beside the resource (Pub/Sub `updateMask`, Spanner
  `fieldMask`) or in the `updateMask` query parameter (Cloud Run v2, Memorystore Redis,
  Dataproc, Vertex AI endpoints). Where the resource has an etag (Cloud Run, Vertex AI), it
  is sent back, so a concurrent change is refused (409, AIP-154) and retried once after a fresh
  read; elsewhere a concurrent label change between the read and the write can be lost. A
  Cloud Run service's own labels are written, not its revision template's: that would deploy a
  new revision, and Cloud Billing reads only the template's labels, so the service's bill keeps
  the labels it was deployed with.

A write returns what the API answered (an operation, for Compute and GKE), or None when the
labels were already as wanted and nothing was sent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Protocol
from urllib.parse import quote

from costplane.adapters.rest import Json, RestClient, UnsupportedResource, body_of
from costplane.engine.ports import ResourceRef

STALE_FINGERPRINT = (409, 412)


@dataclass(frozen=True, slots=True)
class Labels:
    values: dict[str, str]
    fingerprint: str | None = None


class LabelStyle(Protocol):
    def read(self, rest: RestClient, url: str, resource: str) -> Labels: ...

    def write(
        self,
        rest: RestClient,
        url: str,
        resource: str,
        add: Mapping[str, str],
        remove: Collection[str],
    ) -> Json | None: ...


@dataclass(frozen=True, slots=True)
class PatchNulls:
    path: tuple[str, ...]

    def read(self, rest: RestClient, url: str, resource: str) -> Labels:
        params = {"fields": "/".join(self.path)}  # a partial response: only the labels
        body = body_of(rest.call("GET", url, resource=resource, params=params))
        for name in self.path:
            body = body.get(name) or {}
        return Labels(dict(body))

    def write(
        self,
        rest: RestClient,
        url: str,
        resource: str,
        add: Mapping[str, str],
        remove: Collection[str],
    ) -> Json | None:
        changes: dict[str, str | None] = {**dict.fromkeys(remove), **add}
        if not changes:
            return None
        body: dict[str, object] = dict(changes)
        for name in reversed(self.path):
            body = {name: body}
        return body_of(rest.call("PATCH", url, resource=resource, body=body))


@dataclass(frozen=True, slots=True)
class Fingerprinted:
    field: str
    verb: str

    def read(self, rest: RestClient, url: str, resource: str) -> Labels:
        params = {"fields": f"{self.field},labelFingerprint"}
        body = body_of(rest.call("GET", url, resource=resource, params=params))
        return Labels(dict(body.get(self.field) or {}), body.get("labelFingerprint"))

    def write(
        self,
        rest: RestClient,
        url: str,
        resource: str,
        add: Mapping[str, str],
        remove: Collection[str],
    ) -> Json | None:
        for retry in (True, False):
            current = self.read(rest, url, resource)
            merged = {k: v for k, v in current.values.items() if k not in remove} | dict(add)
            if merged == current.values:
                return None
            body = {self.field: merged, "labelFingerprint": current.fingerprint}
            expect = STALE_FINGERPRINT if retry else ()
            response = rest.call(
                "POST", url + self.verb, resource=resource, body=body, expect=expect
            )
            if response.is_success:
                return body_of(response)
        return None


@dataclass(frozen=True, slots=True)
class MaskedReplace:
    """`wrapper` names the body field holding the resource, the mask beside it in `mask_field`;
    without a wrapper the body is the resource and the mask the `updateMask` query parameter."""

    wrapper: str | None = None
    mask_field: str = "updateMask"
    etag: bool = False

    def read(self, rest: RestClient, url: str, resource: str) -> Labels:
        body = body_of(rest.call("GET", url, resource=resource))
        return Labels(dict(body.get("labels") or {}), body.get("etag") if self.etag else None)

    def write(
        self,
        rest: RestClient,
        url: str,
        resource: str,
        add: Mapping[str, str],
        remove: Collection[str],
    ) -> Json | None:
        for retry in (True, False) if self.etag else (False,):
            current = self.read(rest, url, resource)
            merged = {k: v for k, v in current.values.items() if k not in remove} | dict(add)
            if merged == current.values:
                return None
            changed: Json = {"labels": merged}
            if current.fingerprint is not None:
                changed["etag"] = current.fingerprint
            body, params = changed, {"updateMask": "labels"}
            if self.wrapper is not None:
                body, params = {self.wrapper: changed, self.mask_field: "labels"}, {}
            expect = STALE_FINGERPRINT if retry else ()
            response = rest.call(
                "PATCH", url, resource=resource, body=body, params=params or None, expect=expect
            )
            if response.is_success:
                return body_of(response)
        return None


Stopper = Callable[[RestClient, str, str], None]


def _post_stop(rest: RestClient, url: str, resource: str) -> None:
    rest.call("POST", f"{url}/stop", resource=resource)


def _never_activate(rest: RestClient, url: str, resource: str) -> None:
    """A Cloud SQL instance stops when its activation policy becomes NEVER."""
    body = {"settings": {"activationPolicy": "NEVER"}}
    rest.call("PATCH", url, resource=resource, body=body)


@dataclass(frozen=True, slots=True)
class ResourceKind:
    """One GCP resource type: the names it goes by, its REST URL, its labels, how it stops."""

    patterns: tuple[re.Pattern[str], ...]
    url: str
    labels: LabelStyle
    stop: Stopper | None = None

    def url_of(self, resource_id: str) -> str | None:
        for pattern in self.patterns:
            if match := pattern.search(resource_id):
                return self.url.format(
                    **{k: quote(v, safe="") for k, v in match.groupdict().items()}
                )
        return None


def _names(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


KINDS: dict[str, ResourceKind] = {
    "gcp.compute.instance": ResourceKind(
        _names(r"(?:^|/)projects/(?P<p>[^/]+)/zones/(?P<z>[^/]+)/instances/(?P<n>[^/]+)$"),
        "https://compute.googleapis.com/compute/v1/projects/{p}/zones/{z}/instances/{n}",
        Fingerprinted("labels", "/setLabels"),
        _post_stop,
    ),
    "gcp.storage.bucket": ResourceKind(
        _names(r"(?:^|/)(?:buckets|b)/(?P<b>[^/]+)$", r"^(?P<b>[a-z0-9][a-z0-9._-]+)$"),
        "https://storage.googleapis.com/storage/v1/b/{b}",
        PatchNulls(("labels",)),
    ),
    "gcp.sql.instance": ResourceKind(
        _names(
            r"(?:^|/)projects/(?P<p>[^/]+)/instances/(?P<n>[^/]+)$",
            r"^instances/(?P<p>[^/:]+):(?P<n>[^/]+)$",
        ),
        "https://sqladmin.googleapis.com/v1/projects/{p}/instances/{n}",
        PatchNulls(("settings", "userLabels")),
        _never_activate,
    ),
    "gcp.bigquery.dataset": ResourceKind(
        _names(r"(?:^|/)projects/(?P<p>[^/]+)/datasets/(?P<d>[^/]+)$"),
        "https://bigquery.googleapis.com/bigquery/v2/projects/{p}/datasets/{d}",
        PatchNulls(("labels",)),
    ),
    "gcp.pubsub.topic": ResourceKind(
        _names(r"(?:^|/)projects/(?P<p>[^/]+)/topics/(?P<t>[^/]+)$"),
        "https://pubsub.googleapis.com/v1/projects/{p}/topics/{t}",
        MaskedReplace("topic"),
    ),
    "gcp.container.cluster": ResourceKind(
        _names(
            r"(?:^|/)projects/(?P<p>[^/]+)/(?:locations|zones)/(?P<l>[^/]+)/clusters/(?P<c>[^/]+)$"
        ),
        "https://container.googleapis.com/v1/projects/{p}/locations/{l}/clusters/{c}",
        Fingerprinted("resourceLabels", ":setResourceLabels"),
    ),
    "gcp.compute.disk": ResourceKind(
        _names(r"(?:^|/)projects/(?P<p>[^/]+)/zones/(?P<z>[^/]+)/disks/(?P<n>[^/]+)$"),
        "https://compute.googleapis.com/compute/v1/projects/{p}/zones/{z}/disks/{n}",
        Fingerprinted("labels", "/setLabels"),
    ),
    "gcp.compute.snapshot": ResourceKind(
        _names(r"(?:^|/)projects/(?P<p>[^/]+)/global/snapshots/(?P<n>[^/]+)$"),
        "https://compute.googleapis.com/compute/v1/projects/{p}/global/snapshots/{n}",
        Fingerprinted("labels", "/setLabels"),
    ),
    "gcp.compute.image": ResourceKind(
        _names(r"(?:^|/)projects/(?P<p>[^/]+)/global/images/(?P<n>[^/]+)$"),
        "https://compute.googleapis.com/compute/v1/projects/{p}/global/images/{n}",
        Fingerprinted("labels", "/setLabels"),
    ),
    "gcp.bigquery.table": ResourceKind(
        _names(r"(?:^|/)projects/(?P<p>[^/]+)/datasets/(?P<d>[^/]+)/tables/(?P<t>[^/]+)$"),
        "https://bigquery.googleapis.com/bigquery/v2/projects/{p}/datasets/{d}/tables/{t}",
        PatchNulls(("labels",)),
    ),
    "gcp.pubsub.subscription": ResourceKind(
        _names(r"(?:^|/)projects/(?P<p>[^/]+)/subscriptions/(?P<s>[^/]+)$"),
        "https://pubsub.googleapis.com/v1/projects/{p}/subscriptions/{s}",
        MaskedReplace("subscription"),
    ),
    "gcp.spanner.instance": ResourceKind(
        _names(r"(?:^|/)projects/(?P<p>[^/]+)/instances/(?P<i>[^/]+)$"),
        "https://spanner.googleapis.com/v1/projects/{p}/instances/{i}",
        MaskedReplace("instance", mask_field="fieldMask"),
    ),
    "gcp.run.service": ResourceKind(
        _names(r"(?:^|/)projects/(?P<p>[^/]+)/locations/(?P<l>[^/]+)/services/(?P<s>[^/]+)$"),
        "https://run.googleapis.com/v2/projects/{p}/locations/{l}/services/{s}",
        MaskedReplace(etag=True),
    ),
    "gcp.redis.instance": ResourceKind(
        _names(r"(?:^|/)projects/(?P<p>[^/]+)/locations/(?P<l>[^/]+)/instances/(?P<i>[^/]+)$"),
        "https://redis.googleapis.com/v1/projects/{p}/locations/{l}/instances/{i}",
        MaskedReplace(),
    ),
    "gcp.dataproc.cluster": ResourceKind(
        _names(r"(?:^|/)projects/(?P<p>[^/]+)/regions/(?P<r>[^/]+)/clusters/(?P<c>[^/]+)$"),
        "https://dataproc.googleapis.com/v1/projects/{p}/regions/{r}/clusters/{c}",
        MaskedReplace(),
    ),
    "gcp.aiplatform.endpoint": ResourceKind(
        _names(r"(?:^|/)projects/(?P<p>[^/]+)/locations/(?P<l>[^/]+)/endpoints/(?P<e>[^/]+)$"),
        "https://{l}-aiplatform.googleapis.com/v1/projects/{p}/locations/{l}/endpoints/{e}",
        MaskedReplace(etag=True),
    ),
}


def locate(ref: ResourceRef) -> tuple[ResourceKind, str]:
    """The kind of `ref` and its REST URL; UnsupportedResource names what did not fit."""
    kind = KINDS.get(ref.resource_type)
    if kind is None:
        raise UnsupportedResource(f"no GCP adapter for {ref.resource_type} ({ref.resource_id})")
    url = kind.url_of(ref.resource_id)
    if url is None:
        raise UnsupportedResource(f"{ref.resource_id!r} is not a {ref.resource_type} name")
    return kind, url
