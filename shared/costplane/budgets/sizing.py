"""What an event says about the size of what it created: the SKU, how many, and where.

A registry keyed by resource type (not an `if` chain): each entry reads the provider-native
event kept in `ResourceEvent.raw` the way that API records the size. None means the event
does not say (a state change, an endpoint whose instance type lives in its config).

    aws.ec2.instance            RunInstances: the instance's instanceType in the response,
                                else requestParameters.instanceType
    aws.rds.db                  CreateDBInstance: dBInstanceClass; Multi-AZ bills two
    aws.sagemaker.training-job  CreateTrainingJob: resourceConfig instanceType x instanceCount
    gcp.compute.instance        instances.insert: request.machineType (last path segment)
    azure.compute.virtualmachine  properties.hardwareProfile.vmSize, when the event carries it
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

from costplane.domain.events import Provider, ResourceEvent

_GCP_ZONE = re.compile(r"^([a-z]+-[a-z]+\d+)-[a-z]$")


class Sizing(NamedTuple):
    sku: str
    units: int = 1


Sizer = Callable[[ResourceEvent], Sizing | None]
_SIZERS: dict[str, Sizer] = {}


def sizer(resource_type: str) -> Callable[[Sizer], Sizer]:
    def register(read: Sizer) -> Sizer:
        _SIZERS[resource_type] = read
        return read

    return register


def sizing(event: ResourceEvent) -> Sizing | None:
    read = _SIZERS.get(event.resource_type)
    return read(event) if read is not None else None


def price_region(event: ResourceEvent) -> str | None:
    """The region prices are quoted for: GCP events name a zone (`us-central1-a`)."""
    region = event.region
    if region and event.provider is Provider.GCP and (zone := _GCP_ZONE.match(region)):
        return zone.group(1)
    return region


def dig(node: Any, *path: str) -> Any:
    """`node[path[0]][path[1]]…` through JSON objects; None when a step is missing."""
    for key in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _units(value: Any) -> int:
    return value if isinstance(value, int) and value > 0 else 1


@sizer("aws.ec2.instance")
def _ec2_instance(event: ResourceEvent) -> Sizing | None:
    instances = dig(event.raw, "responseElements", "instancesSet", "items")
    for item in instances if isinstance(instances, list) else ():
        mine = isinstance(item, Mapping) and item.get("instanceId") == event.resource_id
        if mine and (sku := _text(item.get("instanceType"))):
            return Sizing(sku)
    sku = _text(dig(event.raw, "requestParameters", "instanceType"))
    return Sizing(sku) if sku else None


@sizer("aws.rds.db")
def _rds_instance(event: ResourceEvent) -> Sizing | None:
    params = dig(event.raw, "requestParameters")
    sku = _text(dig(params, "dBInstanceClass"))
    if sku is None:
        return None
    return Sizing(sku, 2 if dig(params, "multiAZ") is True else 1)


@sizer("aws.sagemaker.training-job")
def _training_job(event: ResourceEvent) -> Sizing | None:
    config = dig(event.raw, "requestParameters", "resourceConfig")
    sku = _text(dig(config, "instanceType"))
    return Sizing(sku, _units(dig(config, "instanceCount"))) if sku else None


@sizer("gcp.compute.instance")
def _gce_instance(event: ResourceEvent) -> Sizing | None:
    machine = _text(dig(event.raw, "protoPayload", "request", "machineType"))
    return Sizing(machine.rsplit("/", 1)[-1]) if machine else None


@sizer("azure.compute.virtualmachine")
def _azure_vm(event: ResourceEvent) -> Sizing | None:
    for path in (("data", "properties"), ("data", "resourceProperties"), ("properties",)):
        if size := _text(dig(event.raw, *path, "hardwareProfile", "vmSize")):
            return Sizing(size)
    return None
