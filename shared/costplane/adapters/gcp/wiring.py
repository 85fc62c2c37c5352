"""The GCP plane: REST adapters, Firestore state (SQLite when no project is configured)."""

from __future__ import annotations

import httpx

from costplane.adapters.gcp.enforcer import GcpEnforcer
from costplane.adapters.gcp.http import token_provider
from costplane.adapters.gcp.inventory import GcpInventory
from costplane.adapters.gcp.settings import GcpSettings
from costplane.adapters.gcp.state import FirestoreStateStore
from costplane.adapters.local.plane import CounterMetrics, LogNotifier, SystemClock
from costplane.adapters.local.sqlite_state import SqliteStateStore
from costplane.adapters.rest import RestClient, new_client
from costplane.bootstrap import Runtime
from costplane.config import Settings
from costplane.domain.events import Provider
from costplane.ports import Clock, ProviderPorts, StateStore


def build_runtime(
    settings: Settings,
    *,
    gcp: GcpSettings | None = None,
    transport: httpx.BaseTransport | None = None,
) -> Runtime:
    """One HTTP client and one token cache, for the life of the process."""
    gcp = gcp or GcpSettings()
    clock = SystemClock()
    http = new_client(transport)
    rest = RestClient(http, token_provider(gcp, http))
    ports = ProviderPorts(inventory=GcpInventory(rest), enforcer=GcpEnforcer(rest, clock))
    return Runtime(
        ports={Provider.GCP: ports},
        state=_state_store(settings, gcp, rest, clock),
        notifier=LogNotifier(),
        metrics=CounterMetrics(),
        clock=clock,
    )


def _state_store(
    settings: Settings, gcp: GcpSettings, rest: RestClient, clock: Clock
) -> StateStore:
    if gcp.state_project is None:
        return SqliteStateStore(settings.state_path)
    return FirestoreStateStore(
        rest,
        clock,
        project=gcp.state_project,
        database=gcp.state_database,
        prefix=gcp.state_collection,
    )
