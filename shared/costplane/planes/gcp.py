"""The GCP plane: REST adapters; claims, decisions, budgets and approvals in Firestore (SQLite
when no project is configured); bill exports in Cloud Storage."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING

from costplane.adapters.gcp.enforcer import GcpEnforcer
from costplane.adapters.gcp.firestore import FirestoreRecords
from costplane.adapters.gcp.http import token_provider
from costplane.adapters.gcp.inventory import GcpInventory
from costplane.adapters.local.plane import CounterMetrics, LogNotifier, SystemClock
from costplane.adapters.rest import RestClient
from costplane.adapters.state_records import RecordStateStore
from costplane.config import GcpSettings, SweepSettings
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


class GcpPlane(Plane):
    name = "gcp"
    envelopes = (envelopes.gcp,)

    @cached_property
    def gcp(self) -> GcpSettings:
        return GcpSettings()

    @cached_property
    def clock(self) -> SystemClock:
        return SystemClock()

    @cached_property
    def rest(self) -> RestClient:
        """One token cache for the life of the process (the metadata server's tokens)."""
        return RestClient(self.http, token_provider(self.gcp, self.http))

    def build_runtime(self) -> Runtime:
        ports = ProviderPorts(
            inventory=GcpInventory(self.rest), enforcer=GcpEnforcer(self.rest, self.clock)
        )
        return Runtime(
            ports={Provider.GCP: ports, **ai_vendor_ports(self)},
            state=self._state_store(),
            notifier=LogNotifier(),
            metrics=CounterMetrics(),
            clock=self.clock,
        )

    def _state_store(self) -> StateStore:
        gcp = self.gcp
        if gcp.state_project is None:
            return self.sqlite_state()
        return RecordStateStore(
            self._collection(gcp.state_project, "claims"),
            self._collection(gcp.state_project, "decisions"),
            self.clock,
        )

    def mark_finder(self, tag: str) -> MarkFinder:
        from costplane.adapters.gcp.marked import GcpMarkedResources

        return GcpMarkedResources(self.rest, tag, SweepSettings().scope)

    def claim_records(self) -> Records:
        if self.gcp.state_project is None:
            return super().claim_records()
        return self._collection(self.gcp.state_project, "claims")

    def budget_stores(self) -> BudgetStores:
        gcp = self.gcp
        if gcp.state_project is None:
            return self.sqlite_budget_stores()
        from costplane.adapters.budget_records import RecordBudgetState

        state = RecordBudgetState(
            self._collection(gcp.state_project, "budgets", kinds=True, capitalised=True)
        )
        return state, state, state

    def approval_store(self) -> ApprovalStore:
        gcp = self.gcp
        if gcp.state_project is None:
            return self.sqlite_approval_store()
        from costplane.adapters.approval_records import RecordApprovalStore

        return RecordApprovalStore(self._collection(gcp.state_project, "approvals", hashed=False))

    def _collection(self, project: str, name: str, **layout: bool) -> FirestoreRecords:
        """`<prefix>_<name>` in the project's Firestore; `layout` as FirestoreRecords takes it."""
        gcp = self.gcp
        return FirestoreRecords(
            self.rest,
            f"{gcp.state_collection}_{name}",
            project=project,
            database=gcp.state_database,
            **layout,
        )

    def object_store(self) -> ObjectStore:
        from costplane.adapters.gcp.objects import GcsObjects

        return GcsObjects(self.rest)

    def object_writer(self) -> ObjectWriter:
        from costplane.adapters.gcp.uploads import GcsWriter

        return GcsWriter(self.rest)
