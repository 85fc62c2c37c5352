"""The embedded plane: tags from a seed inventory, actions recorded, all state in one SQLite
file under the lake directory; it replays any cloud's payloads."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from costplane.adapters.local.plane import (
    CounterMetrics,
    LocalEnforcer,
    LocalInventory,
    LogNotifier,
    PinnedClock,
    SystemClock,
)
from costplane.adapters.local.resources import LocalMarkedResources, LocalResources
from costplane.domain.events import Provider
from costplane.engine.ports import ProviderPorts
from costplane.planes import envelopes
from costplane.planes.base import Plane, Runtime

if TYPE_CHECKING:
    from costplane.ai.ports import AdmissionLedger
    from costplane.approvals.ports import ApprovalStore
    from costplane.planes.base import BudgetStores
    from costplane.tagging.ports import MarkFinder


class LocalPlane(Plane):
    name = "local"
    envelopes = envelopes.EVERY_CLOUD

    def build_runtime(self) -> Runtime:
        settings = self.settings
        kept = self.resources
        inventory = (
            LocalInventory.from_file(settings.inventory, kept)
            if settings.inventory
            else LocalInventory(kept=kept)
        )
        ports = ProviderPorts(inventory=inventory, enforcer=LocalEnforcer(inventory))
        return Runtime(
            ports=dict.fromkeys(Provider, ports),
            state=self.sqlite_state(),
            notifier=LogNotifier(),
            metrics=CounterMetrics(),
            clock=PinnedClock(settings.clock) if settings.clock else SystemClock(),
        )

    @cached_property
    def resources(self) -> LocalResources:
        """The resources the enforcer changed, kept in the state file with everything else."""
        return LocalResources(self.sqlite)

    def mark_finder(self, tag: str) -> MarkFinder:
        return LocalMarkedResources(self.resources, tag)

    def budget_stores(self) -> BudgetStores:
        return self.sqlite_budget_stores()

    def approval_store(self) -> ApprovalStore:
        return self.sqlite_approval_store()

    def admission_ledger(self) -> AdmissionLedger:
        from costplane.adapters.local.admission_ledger import SqliteAdmissionLedger

        return SqliteAdmissionLedger(self.settings.state_path)
