"""Actual-to-date from the FOCUS lake: EffectiveCost summed over each budget's scope and
period, exactly, by one DuckDB aggregation over an Iceberg table."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal

from costplane.adapters.lake.budget_actuals import lake_spend
from costplane.billing.lake.table import Lake
from costplane.domain.budgets import BudgetsFile
from tests.integration.budgets.conftest import Charge, at

NOW = datetime(2026, 11, 21, 12, tzinfo=UTC)


def _spend(lake: Lake, *documents: dict[str, object]) -> dict[str, Decimal]:
    found = BudgetsFile.model_validate({"budgets": list(documents)}).budgets
    return dict(lake_spend(lake, found, NOW).actual)


def test_a_budget_without_scope_sums_every_charge_of_its_period(
    lake: Lake, charge: Callable[..., None]
) -> None:
    charge(Charge("0.1000000001", at(1)), Charge("2.25", at(20)), Charge("9", at(31, month=10)))
    assert _spend(lake, {"name": "all", "amount": 1}) == {"all": Decimal("2.3500000001")}


def test_a_quarterly_budget_sums_the_months_of_its_quarter(
    lake: Lake, charge: Callable[..., None]
) -> None:
    charge(Charge("1", at(5, month=10)), Charge("2", at(5)), Charge("4", at(30, month=9)))
    assert _spend(lake, {"name": "q", "amount": 1, "period": "quarterly"}) == {"q": Decimal(3)}


def test_scopes_select_by_provider_account_and_region(
    lake: Lake, charge: Callable[..., None]
) -> None:
    charge(
        Charge("1", at(2), provider="AWS", account="111111111111", region="us-east-1"),
        Charge("2", at(2), provider="AWS", account="222222222222", region="eu-west-1"),
        Charge("4", at(2), provider="Microsoft", account="sub-1", region="eastus"),
        Charge("8", at(2), provider="Google Cloud", account="data-lake", region="us-central1"),
    )
    spend = _spend(
        lake,
        {"name": "aws", "amount": 1, "scope": {"provider": "aws"}},
        {"name": "one-account", "amount": 1, "scope": {"account": "2222*"}},
        {"name": "eu", "amount": 1, "scope": {"region": "eu-*"}},
        {"name": "azure", "amount": 1, "scope": {"provider": "azure"}},
        {"name": "data", "amount": 1, "scope": {"provider": "gcp", "account": "data-*"}},
    )
    assert spend == {
        "aws": Decimal(3),
        "one-account": Decimal(2),
        "eu": Decimal(2),
        "azure": Decimal(4),
        "data": Decimal(8),
    }


def test_tag_scopes_match_any_spelling_of_the_key_and_any_case_of_the_value(
    lake: Lake, charge: Callable[..., None]
) -> None:
    charge(
        Charge("1", at(3), tags={"Team": "Payments"}),
        Charge("2", at(3), tags={"team": "payments", "env": "prod"}),
        Charge("4", at(3), tags={"team": "search"}),
        Charge("8", at(3)),
    )
    spend = _spend(
        lake,
        {"name": "payments", "amount": 1, "scope": {"tags": {"team": "payments"}}},
        {"name": "prod", "amount": 1, "scope": {"tags": {"Team": "payments", "Env": "prod"}}},
    )
    assert spend == {"payments": Decimal(3), "prod": Decimal(2)}


def test_resource_type_scopes_read_the_type_from_the_resource_id(
    lake: Lake, charge: Callable[..., None]
) -> None:
    vm = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1"
    charge(
        Charge("1", at(4), resource_id="i-0123456789abcdef0"),
        Charge("2", at(4), resource_id="arn:aws:rds:us-east-1:111111111111:db:orders"),
        Charge("4", at(4), resource_id="vol-0123456789abcdef0"),
        Charge("8", at(4), provider="Microsoft", resource_id=vm),
        Charge(
            "16",
            at(4),
            provider="Google Cloud",
            resource_id=("//compute.googleapis.com/projects/p/zones/us-central1-a/instances/42"),
        ),
        Charge("32", at(4)),
    )
    spend = _spend(
        lake,
        {"name": "ec2", "amount": 1, "scope": {"resource_type": "aws.ec2.*"}},
        {"name": "instances", "amount": 1, "scope": {"resource_type": "*.*.instance"}},
        {"name": "vms", "amount": 1, "scope": {"resource_type": "azure.compute.virtualmachine"}},
        {"name": "rds", "amount": 1, "scope": {"resource_type": "aws.rds.db"}},
    )
    assert spend == {
        "ec2": Decimal(5),
        "instances": Decimal(17),
        "vms": Decimal(8),
        "rds": Decimal(2),
    }


def test_charges_in_another_currency_are_not_added(lake: Lake, charge: Callable[..., None]) -> None:
    charge(Charge("1", at(6)), Charge("100", at(6), currency="EUR"))
    spend = _spend(
        lake, {"name": "usd", "amount": 1}, {"name": "eur", "amount": 1, "currency": "EUR"}
    )
    assert spend == {"usd": Decimal(1), "eur": Decimal(100)}


def test_the_lake_says_where_its_rows_end(lake: Lake, charge: Callable[..., None]) -> None:
    charge(Charge("1", at(19, 22)), Charge("1", at(20, 3), hours=2))
    found = BudgetsFile.model_validate({"budgets": [{"name": "all", "amount": 1}]}).budgets
    assert lake_spend(lake, found, NOW).through == {"all": at(20, 5)}


def test_an_empty_lake_has_spent_nothing(lake: Lake) -> None:
    assert _spend(lake, {"name": "all", "amount": 1}) == {"all": Decimal(0)}
