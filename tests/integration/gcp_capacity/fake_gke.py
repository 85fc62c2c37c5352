"""FakeGoogle, plus instance status/start and the GKE calls of a node pool throttle.

A cluster keeps resource labels behind a fingerprint, node pools with an autoscaling setting and
one managed instance group per zone, and the operations its changes started. Like GKE, it
refuses a change while another operation on the cluster is still running (400
FAILED_PRECONDITION); an operation is DONE after `polls_to_done` reads of it. Requests it does
not understand are recorded as problems, like FakeGoogle's.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from tests.integration.gcp_adapters.fake_google import COMPUTE_PATH, FakeGoogle

CONTAINER_PATH = re.compile(
    r"^/v1/(?P<cluster>projects/[^/]+/locations/[^/]+/clusters/[^/:]+)"
    r"(?:/nodePools/(?P<pool>[^/:]+))?(?::(?P<verb>\w+))?$"
)
OPERATION_PATH = re.compile(r"^/v1/projects/[^/]+/locations/[^/]+/operations/(?P<name>[^/]+)$")
MIG_PATH = re.compile(r"^/compute/v1/projects/[^/]+/zones/[^/]+/instanceGroupManagers/[^/]+$")
MIG_HOST = "www.googleapis.com"


@dataclass
class FakePool:
    groups: list[str]
    autoscaling: dict[str, Any] = field(default_factory=dict)


@dataclass
class FakeCluster:
    labels: dict[str, str] = field(default_factory=dict)
    pools: dict[str, FakePool] = field(default_factory=dict)
    writes: int = 0
    running: str | None = None

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(f"{self.writes}".encode()).hexdigest()[:12]


class FakeGke(FakeGoogle):
    def __init__(self, token: str, polls_to_done: int = 1) -> None:
        super().__init__(token)
        self.clusters: dict[str, FakeCluster] = {}
        self.sizes: dict[str, int] = {}
        self.operations: dict[str, tuple[str, int]] = {}
        self.polls_to_done = polls_to_done

    def add_pool(
        self, cluster: str, pool: str, nodes: int, zones: int = 2, **autoscaling: Any
    ) -> FakePool:
        groups = [
            f"https://{MIG_HOST}/compute/v1/projects/p/zones/us-central1-{'abc'[i]}"
            f"/instanceGroupManagers/gke-{pool}-{i}-grp"
            for i in range(zones)
        ]
        for group in groups:
            self.sizes[httpx.URL(group).path] = nodes
        found = self.clusters.setdefault(cluster, FakeCluster())
        found.pools[pool] = FakePool(groups, dict(autoscaling))
        return found.pools[pool]

    def pool_sizes(self, cluster: str, pool: str) -> list[int]:
        return [self.sizes[httpx.URL(g).path] for g in self.clusters[cluster].pools[pool].groups]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.host not in ("container.googleapis.com", MIG_HOST):
            return super().__call__(request)
        self.requests.append(f"{request.method} {request.url}")
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            return self._problem(request, "missing or wrong bearer token")
        if request.url.host == MIG_HOST and MIG_PATH.match(request.url.path):
            if request.url.params.get("fields") != "targetSize":
                return self._problem(request, "a MIG read without fields=targetSize")
            return _json(200, {"targetSize": self.sizes[request.url.path]})
        if match := OPERATION_PATH.match(request.url.path):
            return self._operation(match["name"])
        if match := CONTAINER_PATH.match(request.url.path):
            return self._container(request, match["cluster"], match["pool"], match["verb"])
        return self._problem(request, "unexpected container call")

    def _compute(self, request: httpx.Request) -> httpx.Response:
        match = COMPUTE_PATH.match(request.url.path)
        instance = self.instances.get(match[1]) if match else None
        verb = match[2] if match else None
        reads_status = request.method == "GET" and request.url.params.get("fields") == "status"
        if instance is not None and reads_status and verb is None:
            return _json(200, {"status": instance.status})
        if instance is not None and request.method == "POST" and verb == "/start":
            if instance.status != "TERMINATED":
                return _json(400, {"error": {"code": 400, "errors": [{"reason": "notReady"}]}})
            instance.status = "RUNNING"
            return _json(200, {"kind": "compute#operation", "operationType": "start"})
        return super()._compute(request)

    def _container(
        self, request: httpx.Request, name: str, pool_name: str | None, verb: str | None
    ) -> httpx.Response:
        cluster = self.clusters[name]
        pool = cluster.pools[pool_name] if pool_name else None
        if request.method == "GET" and pool is None and verb is None:
            if request.url.params.get("fields") != "resourceLabels,labelFingerprint":
                return self._problem(request, "a cluster read for more than its labels")
            body = {"resourceLabels": cluster.labels, "labelFingerprint": cluster.fingerprint}
            return _json(200, body)
        if request.method == "GET" and pool is not None and verb is None:
            body = {"name": pool_name, "instanceGroupUrls": pool.groups, "status": "RUNNING"}
            return _json(
                200, body | ({"autoscaling": pool.autoscaling} if pool.autoscaling else {})
            )
        if request.method != "POST" or verb is None:
            return self._problem(request, "unexpected cluster call")
        if cluster.running is not None:
            error = {"code": 400, "status": "FAILED_PRECONDITION", "message": "incompatible op"}
            return _json(400, {"error": error})
        return self._change(request, cluster, pool, verb)

    def _change(
        self, request: httpx.Request, cluster: FakeCluster, pool: FakePool | None, verb: str
    ) -> httpx.Response:
        body = orjson.loads(request.content)
        if pool is None and verb == "setResourceLabels":
            if body["labelFingerprint"] != cluster.fingerprint:
                return _json(412, {"error": {"code": 412, "status": "FAILED_PRECONDITION"}})
            cluster.labels, cluster.writes = dict(body["resourceLabels"]), cluster.writes + 1
        elif pool is not None and verb == "setSize" and set(body) == {"nodeCount"}:
            for group in pool.groups:
                self.sizes[httpx.URL(group).path] = body["nodeCount"]
        elif pool is not None and verb == "setAutoscaling" and set(body) == {"autoscaling"}:
            pool.autoscaling = body["autoscaling"] if body["autoscaling"]["enabled"] else {}
        else:
            return self._problem(request, f"malformed {verb} {body}")
        name = f"operation-{len(self.operations) + 1}"
        self.operations[name] = (next(k for k, v in self.clusters.items() if v is cluster), 0)
        cluster.running = name
        return _json(200, {"name": name, "operationType": verb, "status": "RUNNING"})

    def _operation(self, name: str) -> httpx.Response:
        cluster, polls = self.operations[name]
        polls += 1
        self.operations[name] = (cluster, polls)
        done = polls >= self.polls_to_done
        if done and self.clusters[cluster].running == name:
            self.clusters[cluster].running = None
        return _json(200, {"name": name, "status": "DONE" if done else "RUNNING"})


def _json(status: int, body: Any) -> httpx.Response:
    return httpx.Response(status, content=orjson.dumps(body))
