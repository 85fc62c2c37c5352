"""The Azure plane: ARM adapters; claims, budgets and approvals in one Table storage table
(SQLite when no account is configured), the decisions audit log in that table or, when an
audit account is configured, in a table of its own that outlives costplane's resource group;
bill exports in Blob storage."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from costplane.adapters.azure.enforcer import AzureEnforcer
from costplane.adapters.azure.graph_inventory import AzureGraphInventory
from costplane.adapters.azure.http import ARM_AUDIENCE, STORAGE_AUDIENCE, token_provider
from costplane.adapters.azure.tables import AzureTableRecords
from costplane.adapters.local.plane import CounterMetrics, LogNotifier, SystemClock
from costplane.adapters.rest import RestClient
from costplane.adapters.state_records import ClaimSweep, RecordStateStore
from costplane.config import AzureSettings, SweepSettings
from costplane.domain.events import Provider
from costplane.engine.ports import ProviderPorts, StateStore
from costplane.planes import envelopes
from costplane.planes.ai_vendors import ai_vendor_ports
from costplane.planes.base import Plane, Runtime

if TYPE_CHECKING:
    from costplane.adapters.records import Records
    from costplane.approvals.ports import ApprovalStore
    from costplane.billing.ingest import ObjectStore
    from costplane.billing.pull import ObjectWriter
    from costplane.planes.base import BudgetStores
    from costplane.tagging.ports import MarkFinder


class AzurePlane(Plane):
    name = "azure"
    envelopes = (envelopes.azure,)

    @cached_property
    def azure(self) -> AzureSettings:
        return AzureSettings()

    @cached_property
    def clock(self) -> SystemClock:
        return SystemClock()

    @cached_property
    def storage(self) -> RestClient:
        """Storage-audience tokens (Table and Blob), one cache for the life of the process."""
        return RestClient(self.http, token_provider(self.azure, self.http, STORAGE_AUDIENCE))

    @cached_property
    def arm(self) -> RestClient:
        """ARM-audience tokens (resources, tags, Resource Graph), one cache for the process."""
        return RestClient(self.http, token_provider(self.azure, self.http, ARM_AUDIENCE))

    def build_runtime(self) -> Runtime:
        arm = self.arm
        ports = ProviderPorts(
            inventory=AzureGraphInventory(arm), enforcer=AzureEnforcer(arm, self.clock)
        )
        return Runtime(
            ports={Provider.AZURE: ports, **ai_vendor_ports(self)},
            state=self._state_store(),
            notifier=LogNotifier(),
            metrics=CounterMetrics(),
            clock=self.clock,
        )

    def _state_store(self) -> StateStore:
        if self.azure.table_url is None:
            return self.sqlite_state()
        claims = AzureTableRecords(self.storage, self.azure.table_url, self.clock)
        log = AzureTableRecords(self.storage, self.azure.audit_url or claims.table_url, self.clock)
        return RecordStateStore(claims, log, self.clock)

    def claim_sweep(self) -> ClaimSweep | None:
        """Table storage has no TTL: expired claims are deleted on a schedule."""
        if self.azure.table_url is None:
            return None
        return ClaimSweep(
            AzureTableRecords(self.storage, self.azure.table_url, self.clock), self.clock
        )

    def mark_finder(self, tag: str) -> MarkFinder:
        from costplane.adapters.azure.marked import AzureMarkedResources

        return AzureMarkedResources(self.arm, tag, SweepSettings().subscriptions)

    def claim_records(self) -> Records:
        if self.azure.table_url is None:
            return super().claim_records()
        return AzureTableRecords(self.storage, self.azure.table_url, self.clock)

    def budget_stores(self) -> BudgetStores:
        if self.azure.table_url is None:
            return self.sqlite_budget_stores()
        from costplane.adapters.budget_records import RecordBudgetState

        records = AzureTableRecords(
            self.storage, self.azure.table_url, self.clock, partition_prefix="budget-"
        )
        state = RecordBudgetState(records)
        return state, state, state

    def approval_store(self) -> ApprovalStore:
        if self.azure.table_url is None:
            return self.sqlite_approval_store()
        from costplane.adapters.approval_records import RecordApprovalStore

        records = AzureTableRecords(self.storage, self.azure.table_url, self.clock, hashed=False)
        return RecordApprovalStore(records)

    def object_store(self) -> ObjectStore:
        from costplane.adapters.azure.blobs import AzureBlobs

        return AzureBlobs(self.storage, self.clock)

    def object_writer(self) -> ObjectWriter:
        from costplane.adapters.azure.uploads import AzureBlobWriter

        return AzureBlobWriter(self.storage, self.clock)
