"""Where each GCP resource type keeps its labels, and how to stop it: a registry by type.

Every Google API stores labels a little differently, in one of three ways:
- `PatchNulls`: PATCH merges the map on the server and a null value removes a key
  (Cloud Storage buckets, Cloud SQL `settings.userLabels`, BigQuery datasets);
- `Fingerprinted`: a POST replaces the whole map, guarded by the fingerprint of the map we read;
  a stale fingerprint (412, or 409) is re-read and retried once (Compute instances, GKE clusters);
- `MaskedReplace`: PATCH with `updateMask=labels` replaces the whole map (Pub/Sub topics):
  read, merge, write; a concurrent label change between the two can be lost;
- `EtagMasked`: the same with `updateMask` in the query and the resource's `etag` in the body
  (Vertex AI endpoints), so a concurrent change fails the write instead of being lost.

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
    wrapper: str

    def read(self, rest: RestClient, url: str, resource: str) -> Labels:
        return Labels(dict(body_of(rest.call("GET", url, resource=resource)).get("labels") or {}))

    def write(
        self,
        rest: RestClient,
        url: str,
        resource: str,
        add: Mapping[str, str],
        remove: Collection[str],
    ) -> Json | None:
        current = self.read(rest, url, resource).values
        merged = {k: v for k, v in current.items() if k not in remove} | dict(add)
        if merged == current:
            return None
        body = {self.wrapper: {"labels": merged}, "updateMask": "labels"}
        return body_of(rest.call("PATCH", url, resource=resource, body=body))


@dataclass(frozen=True, slots=True)
class EtagMasked:
    def read(self, rest: RestClient, url: str, resource: str) -> Labels:
        body = body_of(rest.call("GET", url, resource=resource))
        return Labels(dict(body.get("labels") or {}), body.get("etag"))

    def write(
        self,
        rest: RestClient,
        url: str,
        resource: str,
        add: Mapping[str, str],
        remove: Collection[str],
    ) -> Json | None:
        current = self.read(rest, url, resource)
        merged = {k: v for k, v in current.values.items() if k not in remove} | dict(add)
        if merged == current.values:
            return None
        body: Json = {"labels": merged}
        if current.fingerprint:
            body["etag"] = current.fingerprint
        params = {"updateMask": "labels"}
        return body_of(rest.call("PATCH", url, resource=resource, params=params, body=body))


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
    "gcp.aiplatform.endpoint": ResourceKind(
        _names(r"(?:^|/)projects/(?P<p>[^/]+)/locations/(?P<l>[^/]+)/endpoints/(?P<e>[^/]+)$"),
        "https://{l}-aiplatform.googleapis.com/v1/projects/{p}/locations/{l}/endpoints/{e}",
        EtagMasked(),
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
