"""approval_store: the plane's durable state store when one is configured, SQLite otherwise."""

from __future__ import annotations

import pytest

from costplane.adapters.azure.approvals_store import AzureTableApprovalStore
from costplane.adapters.gcp.approvals_store import FirestoreApprovalStore
from costplane.adapters.local.approvals_store import SqliteApprovalStore
from costplane.config import Settings
from costplane.planes import load_plane

UNSET = ("COSTPLANE_AZURE_STATE_ACCOUNT", "COSTPLANE_GCP_STATE_PROJECT")


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name in UNSET:
        monkeypatch.delenv(name, raising=False)
    return Settings(state=":memory:")


def test_the_azure_plane_keeps_approvals_in_its_state_table(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COSTPLANE_AZURE_STATE_ACCOUNT", "stcostplane")
    monkeypatch.setenv("COSTPLANE_AZURE_TOKEN", "test-token")
    store = load_plane("azure", settings).approval_store()
    assert isinstance(store, AzureTableApprovalStore)
    assert store.table_url == "https://stcostplane.table.core.windows.net/costplane"


def test_the_gcp_plane_keeps_approvals_in_its_firestore(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COSTPLANE_GCP_STATE_PROJECT", "costplane-demo-1291")
    monkeypatch.setenv("COSTPLANE_GCP_STATE_COLLECTION", "finops")
    monkeypatch.setenv("COSTPLANE_GCP_TOKEN", "test-token")
    store = load_plane("gcp", settings).approval_store()
    assert isinstance(store, FirestoreApprovalStore)
    assert store.approvals == "finops_approvals"


@pytest.mark.parametrize("plane", ["azure", "gcp", "local"])
def test_a_plane_without_a_state_store_keeps_approvals_in_sqlite(
    settings: Settings, plane: str
) -> None:
    assert isinstance(load_plane(plane, settings).approval_store(), SqliteApprovalStore)
