"""Budget projections fitted where the lake is written and read where budgets are deployed: the
`budget_forecasts` table holds each budget's period end projection, and the budgets of every
plane take it (the higher of it and the run-rate); without one for the current period, the
run-rate stands."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from costplane import bootstrap
from costplane.adapters.lake.forecast_table import (
    FORECAST_TABLE,
    stored_forecasts,
    write_forecasts,
)
from costplane.billing.lake.table import Lake, read_lake
from costplane.config import PlaneName, Settings
from costplane.domain.budgets import BudgetsFile
from costplane.planes import load_plane
from tests.integration.budgets.conftest import Charge
from tests.integration.budgets.test_budgets_forecast_cli import (
    ACCOUNT,
    BUDGETS,
    FIRST_DAY,
    LAST_DAY,
    _daily_cost,
    _days,
    _start,
)

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)
FILE = BudgetsFile.model_validate(yaml.safe_load(BUDGETS))
NOVEMBER = sum(_daily_cost(d) for d in _days(date(2026, 11, 1), date(2026, 11, 30)))
PLANES: list[PlaneName] = ["local", "aws", "azure", "gcp"]


@pytest.fixture
def weekly(lake: Lake, charge: Callable[..., None]) -> Lake:
    """Sixty days of weekly-patterned spend in one account, the last on Nov 19."""
    charge(
        *(
            Charge(str(_daily_cost(day)), _start(day, 8), account=ACCOUNT)
            for day in _days(FIRST_DAY, LAST_DAY)
        )
    )
    return lake


@pytest.fixture
def plane_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every plane with its state in SQLite and static tokens: only the lake differs."""
    for token in ("COSTPLANE_AZURE_TOKEN", "COSTPLANE_GCP_TOKEN"):
        monkeypatch.setenv(token, "test-token")
    for name in (
        "COSTPLANE_AZURE_STATE_ACCOUNT",
        "COSTPLANE_GCP_STATE_PROJECT",
        "COSTPLANE_BUDGETS_TABLE",
        "COSTPLANE_CATALOG_TYPE",
        "COSTPLANE_CATALOG_URI",
    ):
        monkeypatch.delenv(name, raising=False)


def test_the_writer_stores_the_projection_of_each_budget_with_history(weekly: Lake) -> None:
    assert write_forecasts(weekly, FILE, NOW) == 1

    [(name, projection)] = stored_forecasts(weekly, FILE.budgets, NOW).items()

    assert name == "aws-compute"
    assert projection.lo < projection.point < projection.hi
    assert abs(projection.point - NOVEMBER) / NOVEMBER < Decimal("0.05")


def test_writing_again_replaces_the_projections(weekly: Lake) -> None:
    write_forecasts(weekly, FILE, NOW)
    write_forecasts(weekly, FILE, NOW)

    table = weekly.catalog.load_table((weekly.namespace, FORECAST_TABLE))

    assert table.scan().to_arrow().num_rows == 1


def test_a_projection_of_another_period_is_not_used(weekly: Lake) -> None:
    write_forecasts(weekly, FILE, NOW)

    assert stored_forecasts(weekly, FILE.budgets, datetime(2026, 12, 1, tzinfo=UTC)) == {}


def test_reading_projections_before_any_were_written_creates_nothing(weekly: Lake) -> None:
    assert stored_forecasts(weekly, FILE.budgets, NOW) == {}
    assert not weekly.catalog.table_exists((weekly.namespace, FORECAST_TABLE))


@pytest.mark.parametrize("plane", PLANES)
def test_deployed_budgets_project_to_the_stored_forecast(
    plane: PlaneName, weekly: Lake, tmp_path: Path, plane_env: None
) -> None:
    write_forecasts(weekly, FILE, NOW)
    stored = stored_forecasts(weekly, FILE.budgets, NOW)["aws-compute"]
    wired = load_plane(plane, Settings(lake=tmp_path / "lake"))

    view = bootstrap.budget_service(wired, FILE, NOW).budget_views(NOW)["aws-compute"]

    assert view.projected == stored.point
    assert view.projected > view.actual


@pytest.mark.parametrize("plane", PLANES)
def test_without_a_stored_forecast_deployed_budgets_stay_on_the_run_rate(
    plane: PlaneName, weekly: Lake, tmp_path: Path, plane_env: None
) -> None:
    wired = load_plane(plane, Settings(lake=tmp_path / "lake"))

    view = bootstrap.budget_service(wired, FILE, NOW).budget_views(NOW)["aws-compute"]

    assert view.projected == view.actual
    assert read_lake(tmp_path / "lake") is not None
