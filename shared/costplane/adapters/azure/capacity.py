"""Suspend a VM (deallocate; resume starts it) and throttle a scale set (capacity 0), reversibly.

What undoes each action is kept in a tag on the resource (`costplane-suspended: power=running`,
`costplane-throttled: capacity=3`) through the Tags API, as `costplane.engine.undo` describes.
A VM that was not running when suspended is not started on resume. A scale set's capacity is
changed by PATCHing its `sku` as read (name and tier with it, as the Azure CLI does), guarded by
the scale set's ETag so that a concurrent change is not overwritten. An autoscale setting with a
minimum above 0 will scale a throttled set back out; it is left alone.

Compute REST API version 2024-07-01: `GET {vm}/instanceView`, `POST {vm}/start`,
`GET {vmss}`, `PATCH {vmss}` (a VirtualMachineScaleSetUpdate body).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from costplane.adapters.azure.http import ARM, arm_path
from costplane.adapters.rest import Json, RestClient, UnsupportedResource, body_of
from costplane.domain.decisions import ActionKind
from costplane.engine.ports import ResourceRef
from costplane.engine.undo import Reversible, TagRecord, Undo, reversible

log = logging.getLogger("costplane")

COMPUTE_API_VERSION = "2024-07-01"
_POWER_PREFIX = "PowerState/"
_IN_SERVICE = frozenset({"running", "starting"})


def _call(
    arm: RestClient,
    method: str,
    ref: ResourceRef,
    suffix: str = "",
    *,
    body: Json | None = None,
    headers: Mapping[str, str] | None = None,
) -> Json:
    response = arm.call(
        method,
        f"{ARM}{arm_path(ref.resource_id)}{suffix}",
        resource=ref.resource_id,
        params={"api-version": COMPUTE_API_VERSION},
        body=body,
        headers=headers,
    )
    return body_of(response)


def _power_state(arm: RestClient, ref: ResourceRef) -> str:
    """`running`, `deallocated`, `stopped`…, from the VM's instance view."""
    statuses = _call(arm, "GET", ref, "/instanceView").get("statuses") or []
    codes = (str(status.get("code", "")) for status in statuses if isinstance(status, dict))
    return next((c.removeprefix(_POWER_PREFIX) for c in codes if c.startswith(_POWER_PREFIX)), "")


def _start(arm: RestClient, ref: ResourceRef, state: Undo) -> None:
    if state.get("power") in _IN_SERVICE:
        _call(arm, "POST", ref, "/start")
        log.info("start of %s accepted", ref.resource_id)


def vm_suspension(
    arm: RestClient, record: TagRecord, deallocate: Callable[[ResourceRef], None]
) -> Reversible:
    return reversible(
        ActionKind.SUSPEND,
        record,
        capture=lambda ref: {"power": _power_state(arm, ref) or "unknown"},
        apply=deallocate,
        restore=lambda ref, state: _start(arm, ref, state),
    )


def _sku(arm: RestClient, ref: ResourceRef) -> tuple[Json, str | None]:
    """The scale set's sku (with its capacity) and its ETag."""
    scale_set = _call(arm, "GET", ref)
    sku = scale_set.get("sku")
    if not isinstance(sku, dict) or "capacity" not in sku:
        raise UnsupportedResource(f"{ref.resource_id} has no sku capacity to set")
    etag = scale_set.get("etag")
    return sku, str(etag) if etag else None


def _set_capacity(arm: RestClient, ref: ResourceRef, capacity: int) -> None:
    """PATCH the scale set's sku to `capacity` unless it is there already."""
    sku, etag = _sku(arm, ref)
    if sku["capacity"] == capacity:
        return
    headers = {"If-Match": etag} if etag else None
    _call(arm, "PATCH", ref, body={"sku": {**sku, "capacity": capacity}}, headers=headers)


def scale_set_throttle(arm: RestClient, record: TagRecord) -> Reversible:
    return reversible(
        ActionKind.THROTTLE,
        record,
        capture=lambda ref: {"capacity": str(_sku(arm, ref)[0]["capacity"])},
        apply=lambda ref: _set_capacity(arm, ref, 0),
        restore=lambda ref, state: _set_capacity(arm, ref, int(state["capacity"])),
    )
