"""On the AWS plane with COSTPLANE_BUDGETS_TABLE set, every policy runner instance keeps its
budgets in that DynamoDB table, so what one instance observes the others see."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from costplane.adapters.aws.dynamodb import DynamoDbRecords
from costplane.adapters.budget_records import RecordBudgetState
from costplane.adapters.local.sqlite import SqliteRecords
from costplane.bootstrap import budget_service
from costplane.budgets.service import BudgetService
from costplane.config import Settings
from costplane.domain.budgets import BudgetsFile
from costplane.planes import load_plane
from tests.unit.budgets.budget_support import NOW, budgets, real_events

BUDGETS_TABLE_ENV = "COSTPLANE_BUDGETS_TABLE"
RUN = "aws/aws-cloudtrail-ec2-runinstances-iamuser-record.json"
FILE = BudgetsFile(
    budgets=budgets({"name": "aws-compute", "amount": 500, "scope": {"resource_type": "aws.ec2.*"}})
)


def _spend(tmp_path: Path, plane: str = "aws") -> BudgetService:
    spend = budget_service(load_plane(plane, Settings(lake=tmp_path / "lake")), FILE, NOW)
    assert isinstance(spend, BudgetService)
    return spend


def test_the_aws_plane_keeps_budgets_in_the_table(
    budgets_table: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(BUDGETS_TABLE_ENV, budgets_table)
    spend = _spend(tmp_path)
    assert isinstance(spend.rates, RecordBudgetState)
    assert spend.rates is spend.signals is spend.ledger
    assert isinstance(spend.rates.records, DynamoDbRecords)
    assert spend.rates.records.table == budgets_table


def test_one_instance_sees_what_another_observed(
    budgets_table: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(BUDGETS_TABLE_ENV, budgets_table)
    observer, reader = _spend(tmp_path / "a"), _spend(tmp_path / "b")
    observer.observe(real_events(RUN, event_time=NOW)[0])
    [status] = reader.status(NOW)
    assert status.run_rate == Decimal("0.067")
    assert status.projected > 0


def test_without_the_table_budgets_stay_on_the_embedded_plane(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv(BUDGETS_TABLE_ENV, raising=False)
    rates = _spend(tmp_path).rates
    assert isinstance(rates, RecordBudgetState)
    assert isinstance(rates.records, SqliteRecords)


def test_other_planes_ignore_the_table(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(BUDGETS_TABLE_ENV, "costplane-budgets")
    rates = _spend(tmp_path, "gcp").rates
    assert isinstance(rates, RecordBudgetState)
    assert isinstance(rates.records, SqliteRecords)
