"""The Azure rows of the coverage table: Event Grid reports writes and deletes of every ARM
resource type, the Tags API tags any of them, and a few types can also be stopped."""

from __future__ import annotations

import httpx

from costplane.adapters.azure.enforcer import POWER_ACTIONS, AzureEnforcer
from costplane.adapters.azure.events import TAG_WRITE
from costplane.adapters.coverage import ACTIONS, CoverageRow
from costplane.adapters.local.plane import SystemClock
from costplane.adapters.rest import RestClient, StaticToken

EVENT_GRID = "Event Grid"
ANY_ARM_TYPE = "azure.*"


def rows() -> list[CoverageRow]:
    # `supports` answers from the registries: this client is never called.
    with httpx.Client() as http:
        enforcer = AzureEnforcer(RestClient(http, StaticToken("")), SystemClock())
    types = [ANY_ARM_TYPE, *sorted(set(POWER_ACTIONS) | _reversible(enforcer))]
    return [
        CoverageRow(
            "azure",
            resource_type,
            create=["Microsoft.Resources.ResourceWriteSuccess (PUT)"],
            tag=[TAG_WRITE, "Microsoft.Resources.ResourceWriteSuccess (PATCH)"],
            delete=["Microsoft.Resources.ResourceDeleteSuccess"],
            feeds=[EVENT_GRID],
            actions=[k.value for k in ACTIONS if enforcer.supports(k, _probe(resource_type))],
        )
        for resource_type in types
    ]


def _reversible(enforcer: AzureEnforcer) -> set[str]:
    return {resource_type for kinds in enforcer.reversible.values() for resource_type in kinds}


def _probe(resource_type: str) -> str:
    """A concrete type to ask `supports` about: any ARM type stands for `azure.*`."""
    return "azure.resources.resource" if resource_type == ANY_ARM_TYPE else resource_type
