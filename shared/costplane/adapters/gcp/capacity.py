"""Suspend a Compute instance (stop; resume starts it) and throttle a GKE node pool to 0 nodes.

What undoes each action is kept in a label, as `costplane.engine.undo` describes: on the
instance (`costplane-suspended: status-running`), and for a node pool, which has no labels of
its own, on its cluster (`costplane-throttled-<pool>: nodes-3_autoscaling-on_min-1_max-5`).

A node pool has no size field: its size is the target size of its managed instance groups, one
per zone, read from `instanceGroupUrls` (`nodeCount` in setSize is per zone too, so the largest
zone's is kept). Throttling disables the pool's autoscaler first, or it would grow the pool
back, then sets the size to 0; resume sets the size back, then restores the autoscaler.

GKE runs one operation at a time on a cluster, so each change (labels included) waits for its
operation to finish before the next is sent; one still running after 90 seconds raises
`OperationPending`: the action fails, and a retry continues from the recorded state.

REST: container.googleapis.com v1 `nodePools.get`, `:setSize` `{"nodeCount"}`,
`:setAutoscaling` `{"autoscaling": NodePoolAutoscaling}`, `operations.get`;
`clusters:setResourceLabels`; compute v1 `instanceGroupManagers.get`, `instances.stop`/`start`.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import quote

from costplane.adapters.gcp.labels import label_key
from costplane.adapters.gcp.resources import KINDS, locate
from costplane.adapters.rest import Json, RestClient, UnsupportedResource, body_of
from costplane.domain.decisions import ActionKind
from costplane.engine.ports import ResourceRef
from costplane.engine.undo import (
    LABEL_CODEC,
    RECORD_KEYS,
    Reversible,
    TagRecord,
    Undo,
    reversible,
)

CONTAINER = "https://container.googleapis.com/v1"
POLL_SECONDS = 2.0
_MAX_POLLS = 45  # 90 seconds
Sleep = Callable[[float], None]

_NODE_POOL = re.compile(
    r"(?:^|/)projects/(?P<project>[^/]+)/(?:locations|zones)/(?P<location>[^/]+)"
    r"/clusters/(?P<cluster>[^/]+)/nodePools/(?P<pool>[^/]+)$"
)
# Autoscaler fields kept in the record, by their short label-safe names.
_AUTOSCALING = {
    "min": "minNodeCount",
    "max": "maxNodeCount",
    "totalmin": "totalMinNodeCount",
    "totalmax": "totalMaxNodeCount",
}
_IN_SERVICE = frozenset({"provisioning", "staging", "running", "repairing"})
_AT_REST = frozenset({"STOPPING", "TERMINATED", "SUSPENDING", "SUSPENDED"})


class OperationFailed(RuntimeError):
    """A GKE operation finished with an error."""


class OperationPending(TimeoutError):
    """A GKE operation was still running when we stopped waiting; a retry will continue."""


# Compute instances -------------------------------------------------------------------------


def _status(rest: RestClient, ref: ResourceRef) -> str:
    _, url = locate(ref)
    body = body_of(rest.call("GET", url, resource=ref.resource_id, params={"fields": "status"}))
    return str(body.get("status", ""))


def _stop(rest: RestClient, ref: ResourceRef) -> None:
    if _status(rest, ref) not in _AT_REST:
        _, url = locate(ref)
        rest.call("POST", f"{url}/stop", resource=ref.resource_id)


def _start(rest: RestClient, ref: ResourceRef, state: Undo) -> None:
    """Start what was in service; a STOPPING instance makes start fail, so it is retried."""
    if state.get("status") in _IN_SERVICE and _status(rest, ref) != "RUNNING":
        _, url = locate(ref)
        rest.call("POST", f"{url}/start", resource=ref.resource_id)


def _label_record(rest: RestClient) -> TagRecord:
    def read(ref: ResourceRef) -> dict[str, str]:
        kind, url = locate(ref)
        return kind.labels.read(rest, url, ref.resource_id).values

    def write(ref: ResourceRef, add: dict[str, str], remove: list[str]) -> None:
        kind, url = locate(ref)
        kind.labels.write(rest, url, ref.resource_id, add, remove)

    return TagRecord(
        read,
        lambda ref, tags: write(ref, tags, []),
        lambda ref, keys: write(ref, {}, keys),
        codec=LABEL_CODEC,
    )


def instance_suspension(rest: RestClient) -> Reversible:
    return reversible(
        ActionKind.SUSPEND,
        _label_record(rest),
        capture=lambda ref: {"status": _status(rest, ref).lower() or "unknown"},
        apply=lambda ref: _stop(rest, ref),
        restore=lambda ref, state: _start(rest, ref, state),
    )


# GKE node pools ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NodePool:
    project: str
    location: str
    cluster: str
    pool: str

    @classmethod
    def of(cls, ref: ResourceRef) -> NodePool:
        match = _NODE_POOL.search(ref.resource_id)
        if match is None:
            raise UnsupportedResource(f"{ref.resource_id!r} is not a gcp.container.nodepool name")
        return cls(**match.groupdict())

    @property
    def location_url(self) -> str:
        return f"{CONTAINER}/projects/{quote(self.project)}/locations/{quote(self.location)}"

    @property
    def cluster_url(self) -> str:
        return f"{self.location_url}/clusters/{quote(self.cluster)}"

    @property
    def url(self) -> str:
        return f"{self.cluster_url}/nodePools/{quote(self.pool)}"


class NodePools:
    """Throttle and resume of GKE node pools through one REST client."""

    def __init__(self, rest: RestClient, sleep: Sleep = time.sleep) -> None:
        self.rest = rest
        self.sleep = sleep
        self.cluster_labels = KINDS["gcp.container.cluster"].labels

    def throttle(self) -> Reversible:
        return reversible(
            ActionKind.THROTTLE,
            TagRecord(
                self._labels,
                lambda ref, labels: self._write_labels(ref, labels, []),
                lambda ref, keys: self._write_labels(ref, {}, keys),
                codec=LABEL_CODEC,
                key=lambda ref, kind: label_key(f"{RECORD_KEYS[kind]}-{NodePool.of(ref).pool}"),
            ),
            capture=self._capture,
            apply=self._empty,
            restore=self._restore,
        )

    def _labels(self, ref: ResourceRef) -> dict[str, str]:
        pool = NodePool.of(ref)
        return self.cluster_labels.read(self.rest, pool.cluster_url, ref.resource_id).values

    def _write_labels(self, ref: ResourceRef, add: dict[str, str], remove: list[str]) -> None:
        pool = NodePool.of(ref)
        operation = self.cluster_labels.write(
            self.rest, pool.cluster_url, ref.resource_id, add, remove
        )
        if operation is not None:
            self._wait(pool, ref, operation)

    def _pool(self, ref: ResourceRef) -> Json:
        return body_of(self.rest.call("GET", NodePool.of(ref).url, resource=ref.resource_id))

    def _sizes(self, ref: ResourceRef, pool: Json) -> list[int]:
        """The target size of each zone's managed instance group."""
        sizes = []
        for group in pool.get("instanceGroupUrls") or ():
            params = {"fields": "targetSize"}
            found = body_of(self.rest.call("GET", group, resource=ref.resource_id, params=params))
            sizes.append(int(found.get("targetSize", 0)))
        return sizes

    def _capture(self, ref: ResourceRef) -> Undo:
        pool = self._pool(ref)
        state = {"nodes": str(max(self._sizes(ref, pool), default=0))}
        autoscaling = pool.get("autoscaling") or {}
        if autoscaling.get("enabled"):
            state["autoscaling"] = "on"
            state |= {k: str(autoscaling[f]) for k, f in _AUTOSCALING.items() if f in autoscaling}
            if policy := autoscaling.get("locationPolicy"):
                state["policy"] = str(policy).lower()
        return state

    def _empty(self, ref: ResourceRef) -> None:
        pool = self._pool(ref)
        if (pool.get("autoscaling") or {}).get("enabled"):
            self._post(ref, ":setAutoscaling", {"autoscaling": {"enabled": False}})
        if any(self._sizes(ref, pool)):
            self._post(ref, ":setSize", {"nodeCount": 0})

    def _restore(self, ref: ResourceRef, state: Undo) -> None:
        self._post(ref, ":setSize", {"nodeCount": int(state.get("nodes", "0"))})
        if state.get("autoscaling") == "on":
            self._post(ref, ":setAutoscaling", {"autoscaling": _autoscaling(state)})

    def _post(self, ref: ResourceRef, verb: str, body: Json) -> None:
        pool = NodePool.of(ref)
        response = self.rest.call("POST", f"{pool.url}{verb}", resource=ref.resource_id, body=body)
        self._wait(pool, ref, body_of(response))

    def _wait(self, pool: NodePool, ref: ResourceRef, operation: Json) -> None:
        """Poll the operation until it is DONE; raise if it failed or outlasts our patience."""
        url = f"{pool.location_url}/operations/{operation.get('name', '')}"
        polls = 0
        while operation.get("status") != "DONE":
            if polls == _MAX_POLLS:
                raise OperationPending(f"{url} still {operation.get('status')} after {polls} polls")
            self.sleep(POLL_SECONDS)
            operation = body_of(self.rest.call("GET", url, resource=ref.resource_id))
            polls += 1
        if error := operation.get("error"):
            raise OperationFailed(f"{url} failed: {error}")


def _autoscaling(state: Mapping[str, str]) -> Json:
    """The NodePoolAutoscaling the record describes."""
    settings: Json = {"enabled": True}
    settings |= {field: int(state[k]) for k, field in _AUTOSCALING.items() if k in state}
    if "policy" in state:
        settings["locationPolicy"] = state["policy"].upper()
    return settings
