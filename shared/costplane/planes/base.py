"""What every plane provides, and the parts all planes build the same way (chat, the lake).

A plane is built once per process; what it builds is cached on it, so that a function's warm
invocations reuse one HTTP client, one token cache and one set of stores.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar

from costplane.config import (
    AdminKeys,
    AiPullSettings,
    ApprovalSettings,
    CatalogSettings,
    PlaneName,
    Settings,
    admin_keys_from,
)
from costplane.domain.events import Provider
from costplane.engine.ports import Clock, Metrics, Notifier, ProviderPorts, StateStore

if TYPE_CHECKING:
    import httpx

    from costplane.adapters.local.sqlite import SqliteRecords
    from costplane.adapters.records import Records
    from costplane.adapters.state_records import ClaimSweep
    from costplane.ai.ports import AdmissionLedger
    from costplane.approvals.ports import ApprovalStore
    from costplane.billing.ingest import ObjectStore
    from costplane.billing.lake.table import Lake
    from costplane.billing.pull import ObjectWriter
    from costplane.budgets.ports import ReservationLedger, RunRateStore, SignalStore
    from costplane.tagging.ports import CursorStore, MarkFinder

    BudgetStores = tuple[RunRateStore, SignalStore, ReservationLedger]


@dataclass(slots=True)
class Runtime:
    """What the event services run on: ports per provider, durable state, a notifier, metrics
    and a clock."""

    ports: dict[Provider, ProviderPorts]
    state: StateStore
    notifier: Notifier
    metrics: Metrics
    clock: Clock


class Plane(ABC):
    """One plane's wiring. Subclasses build their runtime and stores; everything is built on
    first use and kept."""

    name: ClassVar[PlaneName]
    envelopes: ClassVar[tuple[Callable[[], None], ...]]
    """Importers of the envelope parsers of the payloads this plane's functions receive."""

    def __init__(self, settings: Settings, transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        self._transport = transport

    @cached_property
    def http(self) -> httpx.Client:
        """One HTTP client for the life of the process (connection pool, keep-alive); the AWS
        plane, which has none, does not import httpx."""
        from costplane.adapters.rest import new_client

        return new_client(self._transport)

    @cached_property
    def runtime(self) -> Runtime:
        for register in self.envelopes:
            register()
        return self.build_runtime()

    @abstractmethod
    def build_runtime(self) -> Runtime: ...

    @abstractmethod
    def budget_stores(self) -> BudgetStores:
        """Run rates, signals and the reservation ledger that every instance shares."""

    @abstractmethod
    def approval_store(self) -> ApprovalStore: ...

    @cached_property
    def sqlite(self) -> SqliteRecords:
        """The embedded plane's records (claims, decisions, approvals, budgets): one SQLite
        file, for a plane with no cloud store configured."""
        from costplane.adapters.local.sqlite import SqliteRecords

        return SqliteRecords(self.settings.state_path)

    def sqlite_state(self) -> StateStore:
        """Claims expire by the wall clock, even on a plane replaying at a pinned time."""
        from costplane.adapters.local.plane import SystemClock
        from costplane.adapters.state_records import RecordStateStore

        return RecordStateStore(self.sqlite, self.sqlite, SystemClock())

    def sqlite_budget_stores(self) -> BudgetStores:
        from costplane.adapters.budget_records import RecordBudgetState

        state = RecordBudgetState(self.sqlite)
        return state, state, state

    def admission_ledger(self) -> AdmissionLedger:
        """Where AI admission reserves against budgets: one store every instance shares (a
        file per function instance would let each spend the whole budget)."""
        raise NotImplementedError(f"the {self.name} plane has no AI admission store")

    def sqlite_approval_store(self) -> ApprovalStore:
        from costplane.adapters.approval_records import RecordApprovalStore

        return RecordApprovalStore(self.sqlite)

    def claim_sweep(self) -> ClaimSweep | None:
        """What deletes expired claims, where the claims' store has no TTL of its own; None
        where it has (DynamoDB, Firestore) or keeps them locally (SQLite)."""
        return None

    def object_store(self) -> ObjectStore:
        raise NotImplementedError(f"the {self.name} plane ingests no bill exports")

    def object_writer(self) -> ObjectWriter:
        """Where the AI usage pull lands its reports: the plane's bill store."""
        raise NotImplementedError(f"the {self.name} plane lands no pulled reports")

    def ai_admin_keys(self, pulls: AiPullSettings) -> AdminKeys:
        """The AI vendors' admin keys, which the platform puts in the environment from its
        secret store (Key Vault and Secret Manager references)."""
        if pulls.admin_keys is None:
            raise ValueError("COSTPLANE_AI_ADMIN_KEYS is required to pull AI usage")
        return admin_keys_from(pulls.admin_keys.get_secret_value())

    @cached_property
    def chat(self) -> ApprovalSettings:
        """Slack and Teams credentials and where requests go."""
        return ApprovalSettings()

    def lake(self) -> Lake | None:
        """The lake to read: the one the catalog settings name (Glue, REST), else the local one
        under `settings.lake`; None when there is none yet. Reading creates nothing."""
        from costplane.billing.lake.table import read_lake

        catalog = CatalogSettings()
        if catalog.embedded and not (self.settings.lake / "catalog.db").exists():
            return None
        return read_lake(self.settings.lake, catalog)

    def open_lake(self) -> Lake:
        """The lake, created on first use (only ingest writes one)."""
        from costplane.billing.lake.table import open_lake

        return open_lake(self.settings.lake, CatalogSettings())

    def mark_finder(self, tag: str) -> MarkFinder:
        """The resources carrying the mark tag, as this plane's cloud indexes them."""
        raise NotImplementedError(f"the {self.name} plane has no mark sweep")

    def claim_records(self) -> Records:
        """The records beside the plane's claims, for small state kept by key: sweep cursors,
        the undo records of resources that carry no tags."""
        return self.sqlite

    def sweep_cursors(self) -> CursorStore:
        """Where an unfinished sweep saved its place: beside the plane's claims."""
        from costplane.adapters.sweep_records import RecordCursorStore

        return RecordCursorStore(self.claim_records())
