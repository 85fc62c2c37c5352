"""FakeAzure, plus the Compute calls of suspend and throttle: instance view, start, scale sets.

A VM's power state follows deallocate and start; a scale set keeps a sku whose capacity a PATCH
changes only when it names the sku as read and the current ETag (a stale one gets 412, as ARM
answers). Requests it does not understand are recorded as problems, like FakeAzure's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import orjson

from tests.integration.azure_adapters.fake_azure import FakeAzure, FakeResource

VERSION = "2024-07-01"


@dataclass
class FakeScaleSet:
    capacity: int
    writes: int = 1

    @property
    def etag(self) -> str:
        return f'"{self.writes}"'

    def sku(self) -> dict[str, Any]:
        return {"name": "Standard_D2s_v3", "tier": "Standard", "capacity": self.capacity}


class FakeCompute(FakeAzure):
    def __init__(self, token: str) -> None:
        super().__init__(token, table_host="unused.table.core.windows.net")
        self.scale_sets: dict[str, FakeScaleSet] = {}

    def add_vm(self, vm_id: str, power: str = "running", **tags: str) -> FakeResource:
        self.resources[vm_id] = FakeResource(tags=dict(tags), power=power)
        return self.resources[vm_id]

    def add_scale_set(self, vmss_id: str, capacity: int, **tags: str) -> FakeScaleSet:
        self.resources[vmss_id] = FakeResource(tags=dict(tags))
        self.scale_sets[vmss_id] = FakeScaleSet(capacity)
        return self.scale_sets[vmss_id]

    def _arm(self, request: httpx.Request) -> httpx.Response:
        path, version = request.url.path, request.url.params.get("api-version")
        if version != VERSION:
            return super()._arm(request)
        if request.method == "GET" and path.endswith("/instanceView"):
            vm = self.resources[path.removesuffix("/instanceView")]
            statuses = [
                {"code": "ProvisioningState/succeeded", "level": "Info"},
                {"code": f"PowerState/{vm.power}", "level": "Info"},
            ]
            return _json(200, {"computerName": "vm-build-01", "statuses": statuses})
        if request.method == "POST" and path.endswith("/start") and not request.content:
            self.resources[path.removesuffix("/start")].power = "running"
            return httpx.Response(202)
        scale_set = self.scale_sets.get(path)
        if scale_set is not None and request.method == "GET":
            body = {"name": path.rsplit("/", 1)[1], "sku": scale_set.sku(), "etag": scale_set.etag}
            return _json(200, body)
        if scale_set is not None and request.method == "PATCH":
            return self._patch_scale_set(request, scale_set)
        return super()._arm(request)

    def _patch_scale_set(self, request: httpx.Request, scale_set: FakeScaleSet) -> httpx.Response:
        body = orjson.loads(request.content)
        sku = body.get("sku", {})
        if set(body) != {"sku"} or {**sku, "capacity": scale_set.capacity} != scale_set.sku():
            return self._problem(request, f"malformed scale set patch {body}")
        if request.headers.get("If-Match") != scale_set.etag:
            return _json(412, {"error": {"code": "PreconditionFailed", "message": "stale"}})
        scale_set.capacity, scale_set.writes = sku["capacity"], scale_set.writes + 1
        return _json(200, {"sku": scale_set.sku(), "etag": scale_set.etag})


def _json(status: int, body: Any) -> httpx.Response:
    return httpx.Response(status, content=orjson.dumps(body))
