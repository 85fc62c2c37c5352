"""Azure test fixtures: ARM ids, response bodies in the shapes the REST reference documents."""

from __future__ import annotations

from typing import Any

from costplane.domain.events import Provider
from costplane.engine.ports import ResourceRef

SUB = "0b1f6471-1bf0-4dda-aec3-cb9272f09590"
RG = f"/subscriptions/{SUB}/resourceGroups/rg-payments"
VM = f"{RG}/providers/Microsoft.Compute/virtualMachines/vm-build-01"
VMSS = f"{RG}/providers/Microsoft.Compute/virtualMachineScaleSets/vmss-web"
STORAGE = f"{RG}/providers/Microsoft.Storage/storageAccounts/stpayments01"
ARM = "https://management.azure.com"
TAGS = "/providers/Microsoft.Resources/tags/default?api-version=2021-04-01"
ASYNC_OP = (
    f"{ARM}/subscriptions/{SUB}/providers/Microsoft.Compute/locations/westeurope/operations/"
    "5f0f7a3e-2d3a-4b1e-9b8a-0c6f4f1d2e3a?p=8c1d2f3e&api-version=2024-07-01"
)


def arm_error(code: str, message: str) -> dict[str, Any]:
    """ARM's `ErrorResponse` envelope."""
    return {"error": {"code": code, "message": message}}


def tags_resource(resource_id: str, tags: dict[str, str]) -> dict[str, Any]:
    """The Tags API's `TagsResource`."""
    return {
        "id": f"{resource_id}/providers/Microsoft.Resources/tags/default",
        "name": "default",
        "type": "Microsoft.Resources/tags",
        "properties": {"tags": tags},
    }


def ref(resource_id: str = VM, resource_type: str = "azure.compute.virtualmachine") -> ResourceRef:
    return ResourceRef(
        provider=Provider.AZURE,
        account=SUB,
        region="westeurope",
        resource_id=resource_id,
        resource_type=resource_type,
    )
