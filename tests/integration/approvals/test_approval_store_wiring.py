"""approval_store: the plane's durable state store when one is configured, SQLite otherwise."""

from __future__ import annotations

import pytest

from costplane.adapters.approval_records import RecordApprovalStore
from costplane.adapters.azure.tables import AzureTableRecords
from costplane.adapters.gcp.firestore import FirestoreRecords
from costplane.adapters.local.sqlite import SqliteRecords
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
    assert isinstance(store, RecordApprovalStore)
    assert isinstance(store.records, AzureTableRecords)
    assert store.records.table_url == "https://stcostplane.table.core.windows.net/costplane"


def test_the_gcp_plane_keeps_approvals_in_its_firestore(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COSTPLANE_GCP_STATE_PROJECT", "costplane-demo-1291")
    monkeypatch.setenv("COSTPLANE_GCP_STATE_COLLECTION", "finops")
    monkeypatch.setenv("COSTPLANE_GCP_TOKEN", "test-token")
    store = load_plane("gcp", settings).approval_store()
    assert isinstance(store, RecordApprovalStore)
    assert isinstance(store.records, FirestoreRecords)
    assert store.records.collection == "finops_approvals"


@pytest.mark.parametrize("plane", ["azure", "gcp", "local"])
def test_a_plane_without_a_state_store_keeps_approvals_in_sqlite(
    settings: Settings, plane: str
) -> None:
    store = load_plane(plane, settings).approval_store()
    assert isinstance(store, RecordApprovalStore)
    assert isinstance(store.records, SqliteRecords)
