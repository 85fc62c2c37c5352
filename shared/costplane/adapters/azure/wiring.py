"""The Azure plane: ARM adapters, Table storage state (SQLite when no account is configured)."""

from __future__ import annotations

import httpx

from costplane.adapters.azure.enforcer import AzureEnforcer
from costplane.adapters.azure.http import ARM_AUDIENCE, STORAGE_AUDIENCE, token_provider
from costplane.adapters.azure.inventory import AzureInventory
from costplane.adapters.azure.settings import AzureSettings
from costplane.adapters.azure.state import AzureTableStateStore
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
    azure: AzureSettings | None = None,
    transport: httpx.BaseTransport | None = None,
) -> Runtime:
    """One HTTP client and one token cache per audience, for the life of the process."""
    azure = azure or AzureSettings()
    http = new_client(transport)
    clock = SystemClock()
    arm = RestClient(http, token_provider(azure, http, ARM_AUDIENCE))
    ports = ProviderPorts(inventory=AzureInventory(arm), enforcer=AzureEnforcer(arm, clock))
    return Runtime(
        ports={Provider.AZURE: ports},
        state=_state_store(settings, azure, http, clock),
        notifier=LogNotifier(),
        metrics=CounterMetrics(),
        clock=clock,
    )


def _state_store(
    settings: Settings, azure: AzureSettings, http: httpx.Client, clock: Clock
) -> StateStore:
    if azure.table_url is None:
        return SqliteStateStore(settings.state_path)
    storage = RestClient(http, token_provider(azure, http, STORAGE_AUDIENCE))
    return AzureTableStateStore(storage, azure.table_url, clock)
