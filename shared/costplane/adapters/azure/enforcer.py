"""Act on Azure resources through ARM: tags at any scope, deallocation for compute.

Stop means *deallocate*, not power-off: a powered-off VM still bills its cores, a deallocated
one does not. Quarantine tags the resource `costplane-quarantined` (when) and deallocates it;
networking is left alone, so that an owner can bring it back by starting it.

Suspend deallocates a VM and throttle sets a scale set's capacity to 0, each recording what
undoes it in a tag (see `capacity`); `resume` starts the VM or restores the capacity. Azure
OpenAI (see `capacity_openai`): throttle lowers a deployment's capacity, suspend turns off an
account's key auth.

Permissions of the function's managed identity (a custom role, or Tag Contributor plus
Virtual Machine Contributor): `Microsoft.Resources/tags/read` and `/write` for the inventory
and tag actions; `Microsoft.Compute/virtualMachines/deallocate/action` and
`Microsoft.Compute/virtualMachineScaleSets/deallocate/action` for stop and quarantine;
`Microsoft.Compute/virtualMachines/read` (instance view), `/deallocate/action` and
`/start/action` for suspend and resume; `Microsoft.Compute/virtualMachineScaleSets/read` and
`/write` for throttle and its resume; tags read and write for the records of both;
`Microsoft.CognitiveServices/accounts/read` and `/write` (key auth), `…/accounts/deployments/
read` and `/write` (capacity) for Azure OpenAI.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from costplane.adapters.azure.capacity import scale_set_throttle, vm_suspension
from costplane.adapters.azure.capacity_openai import (
    ACCOUNT_TYPE,
    DEPLOYMENT_TYPE,
    account_suspension,
    deployment_throttle,
)
from costplane.adapters.azure.http import ARM, arm_path
from costplane.adapters.azure.inventory import TAGS_API_VERSION, AzureInventory, tags_url
from costplane.adapters.rest import (
    STOPPING,
    TAGGING,
    RestClient,
    UnsupportedResource,
    quarantine_tags,
)
from costplane.domain.decisions import ActionKind
from costplane.engine.executor import NOTIFYING
from costplane.engine.ports import Clock, ResourceRef
from costplane.engine.undo import REVERSIBLE, Reversible, ReversibleActions, TagRecord

log = logging.getLogger("costplane")

COMPUTE_API_VERSION = "2024-07-01"


@dataclass(frozen=True, slots=True)
class PowerAction:
    """A POST on the resource that stops what it costs; ARM answers 202 and works on."""

    verb: str
    api_version: str


POWER_ACTIONS: dict[str, PowerAction] = {
    "azure.compute.virtualmachine": PowerAction("deallocate", COMPUTE_API_VERSION),
    "azure.compute.virtualmachinescaleset": PowerAction("deallocate", COMPUTE_API_VERSION),
}


class AzureEnforcer(ReversibleActions):
    """Tags any ARM resource; stops and quarantines the types in POWER_ACTIONS."""

    def __init__(self, arm: RestClient, clock: Clock) -> None:
        self.arm = arm
        self.clock = clock
        self.inventory = AzureInventory(arm)
        record = TagRecord(self.inventory.get_tags, self.tag, self.untag)
        self.reversible: dict[ActionKind, dict[str, Reversible]] = {
            ActionKind.SUSPEND: {
                "azure.compute.virtualmachine": vm_suspension(arm, record, self.stop),
                ACCOUNT_TYPE: account_suspension(arm, record),
            },
            ActionKind.THROTTLE: {
                "azure.compute.virtualmachinescaleset": scale_set_throttle(arm, record),
                DEPLOYMENT_TYPE: deployment_throttle(
                    arm, self.inventory.get_tags, self.tag, self.untag
                ),
            },
        }

    def supports(self, kind: ActionKind, resource_type: str) -> bool:
        if not resource_type.startswith("azure."):
            return False
        if kind in REVERSIBLE:
            return self.reverses(kind, resource_type)
        return (
            kind in TAGGING
            or kind in NOTIFYING
            or (kind in STOPPING and resource_type in POWER_ACTIONS)
        )

    def tag(self, ref: ResourceRef, tags: Mapping[str, str]) -> None:
        self._patch_tags(ref, "Merge", dict(tags))

    def untag(self, ref: ResourceRef, keys: Iterable[str]) -> None:
        """Delete by name *and* value as read: ARM tag names are case-insensitive."""
        wanted = {key.casefold() for key in keys}
        present = {k: v for k, v in self.inventory.get_tags(ref).items() if k.casefold() in wanted}
        if present:
            self._patch_tags(ref, "Delete", present)

    def stop(self, ref: ResourceRef) -> None:
        action = POWER_ACTIONS.get(ref.resource_type)
        if action is None:
            raise UnsupportedResource(f"cannot stop {ref.resource_type} {ref.resource_id}")
        response = self.arm.call(
            "POST",
            f"{ARM}{arm_path(ref.resource_id)}/{action.verb}",
            resource=ref.resource_id,
            params={"api-version": action.api_version},
        )
        tracking = response.headers.get("Azure-AsyncOperation") or response.headers.get("Location")
        log.info(
            "%s of %s: HTTP %s, operation %s",
            action.verb,
            ref.resource_id,
            response.status_code,
            tracking,
        )

    def quarantine(self, ref: ResourceRef) -> None:
        self.tag(ref, quarantine_tags(self.clock.now()))
        self.stop(ref)

    def _patch_tags(self, ref: ResourceRef, operation: str, tags: dict[str, str]) -> None:
        self.arm.call(
            "PATCH",
            tags_url(ref.resource_id),
            resource=ref.resource_id,
            params={"api-version": TAGS_API_VERSION},
            body={"operation": operation, "properties": {"tags": tags}},
        )
