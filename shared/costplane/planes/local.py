"""The embedded plane: tags from a seed inventory, actions recorded, all state in one SQLite
file under the lake directory; it replays any cloud's payloads."""

from __future__ import annotations

from typing import TYPE_CHECKING

from costplane.adapters.local.plane import (
    CounterMetrics,
    LocalEnforcer,
    LocalInventory,
    LogNotifier,
    PinnedClock,
    SystemClock,
)
from costplane.domain.events import Provider
from costplane.engine.ports import ProviderPorts
from costplane.planes import envelopes
from costplane.planes.base import Plane, Runtime

if TYPE_CHECKING:
    from costplane.approvals.ports import ApprovalStore
    from costplane.planes.base import BudgetStores


class LocalPlane(Plane):
    name = "local"
    envelopes = envelopes.EVERY_CLOUD

    def build_runtime(self) -> Runtime:
        settings = self.settings
        inventory = (
            LocalInventory.from_file(settings.inventory) if settings.inventory else LocalInventory()
        )
        ports = ProviderPorts(inventory=inventory, enforcer=LocalEnforcer(inventory))
        return Runtime(
            ports=dict.fromkeys(Provider, ports),
            state=self.sqlite_state(),
            notifier=LogNotifier(),
            metrics=CounterMetrics(),
            clock=PinnedClock(settings.clock) if settings.clock else SystemClock(),
        )

    def budget_stores(self) -> BudgetStores:
        return self.sqlite_budget_stores()

    def approval_store(self) -> ApprovalStore:
        return self.sqlite_approval_store()
