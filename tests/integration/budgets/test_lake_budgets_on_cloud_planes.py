"""The Azure and GCP policy runners' budgets read the lake the catalog settings name (as the
Bicep and Terraform set them), not the shipped price sheet alone: actuals and learned prices
come from a real pyiceberg catalog (SQL, apart from the function's lake directory) that the
ingest path wrote the FOCUS 1.0 sample (September 2024) into."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from costplane import bootstrap
from costplane.billing.focus.sources import get_normaliser
from costplane.billing.lake.table import open_lake
from costplane.billing.lake.writer import ingest
from costplane.budgets.service import BudgetService
from costplane.config import CatalogSettings, PlaneName, Settings
from costplane.planes import load_plane
from tests.conftest import TEST_DATA

SAMPLE = TEST_DATA / "focus" / "focus" / "focus_1.0_sample_1000rows_aws_azure_oci.csv"
END_OF_SEPTEMBER_2024 = datetime(2024, 9, 30, 23, 59, tzinfo=UTC)
BUDGETS = """\
budgets:
  - name: azure-all
    amount: 100
    scope: {provider: azure}
  - name: aws-all
    amount: 100
    scope: {provider: aws}
"""
CLOUD_PLANES: list[PlaneName] = ["azure", "gcp"]


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> CatalogSettings:
    """A SQL catalog and a file warehouse of their own, written once by the ingest path."""
    root = tmp_path_factory.mktemp("cloud-lake")
    settings = CatalogSettings(
        type="sql", uri=f"sqlite:///{root}/catalog.db", warehouse=f"file://{root}/warehouse"
    )
    ingest(open_lake(root / "ingest", settings), get_normaliser("focus"), [SAMPLE])
    return settings


@pytest.fixture
def settings(catalog: CatalogSettings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The function's environment: the catalog settings, state in SQLite, static tokens; its
    own lake directory is empty, so whatever the budgets read comes from the catalog."""
    monkeypatch.setenv("COSTPLANE_CATALOG_TYPE", catalog.type)
    monkeypatch.setenv("COSTPLANE_CATALOG_URI", str(catalog.uri))
    monkeypatch.setenv("COSTPLANE_CATALOG_WAREHOUSE", str(catalog.warehouse))
    for token in ("COSTPLANE_AZURE_TOKEN", "COSTPLANE_GCP_TOKEN"):
        monkeypatch.setenv(token, "test-token")
    for unset in ("COSTPLANE_AZURE_STATE_ACCOUNT", "COSTPLANE_GCP_STATE_PROJECT"):
        monkeypatch.delenv(unset, raising=False)
    budgets = tmp_path / "budgets.yaml"
    budgets.write_text(BUDGETS)
    return Settings(lake=tmp_path / "function", budgets=budgets)


@pytest.mark.parametrize("plane", CLOUD_PLANES)
def test_the_policy_runner_budgets_take_their_actuals_from_the_configured_lake(
    plane: PlaneName, settings: Settings
) -> None:
    runner = bootstrap.policy_runner(settings, plane=plane)
    assert isinstance(runner.spend, BudgetService)

    actual = {s.budget.name: s.lake_actual for s in runner.spend.status(END_OF_SEPTEMBER_2024)}

    # The sample's September EffectiveCost: Microsoft rows 1.9765141858…, AWS rows 13.
    assert actual == {"azure-all": Decimal("1.9765141858"), "aws-all": Decimal(13)}
    assert not (settings.lake / "catalog.db").exists()


@pytest.mark.parametrize("plane", CLOUD_PLANES)
def test_the_budgets_price_from_what_the_lake_learned_before_the_sheet(
    plane: PlaneName, settings: Settings
) -> None:
    wired = load_plane(plane, settings)
    spend = bootstrap.budget_service(wired, bootstrap.budgets(settings), END_OF_SEPTEMBER_2024)

    # The sample's rows: D11 v2 in US East 2 contracted at 0.149, g5.4xlarge at 2 (list 1.624).
    quotes = {
        sku: spend.prices.unit_price(provider, sku, region)
        for provider, sku, region in (
            ("azure", "Standard_D11_v2", "eastus2"),
            ("aws", "g5.4xlarge", "us-east-1"),
        )
    }
    assert {sku: (q.price, q.source) if q else None for sku, q in quotes.items()} == {
        "Standard_D11_v2": (Decimal("0.149"), "lake"),
        "g5.4xlarge": (Decimal(2), "lake"),
    }


@pytest.mark.parametrize("plane", CLOUD_PLANES)
def test_without_catalog_settings_the_budgets_read_no_lake(
    plane: PlaneName, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("COSTPLANE_CATALOG_TYPE")
    monkeypatch.delenv("COSTPLANE_CATALOG_URI")
    monkeypatch.delenv("COSTPLANE_CATALOG_WAREHOUSE")
    runner = bootstrap.policy_runner(settings, plane=plane)
    assert isinstance(runner.spend, BudgetService)

    actual = {s.budget.name: s.lake_actual for s in runner.spend.status(END_OF_SEPTEMBER_2024)}

    assert actual == {"azure-all": Decimal(0), "aws-all": Decimal(0)}
