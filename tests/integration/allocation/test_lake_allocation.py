"""Allocation over a lake of the bundled real bills, and the `chargeback` table it writes."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import orjson
import pytest

from costplane.billing.allocation.errors import AllocationError
from costplane.billing.allocation.lake import allocate_period, chargeback_table, write_chargeback
from costplane.billing.allocation.loader import EXAMPLE_RULES, load_rules
from costplane.billing.lake.query import sql
from costplane.billing.lake.table import Lake, open_lake
from costplane.domain.money import quantize
from tests.conftest import TEST_DATA

K8S = TEST_DATA / "k8s" / "allocation.k8s.yaml"


@pytest.fixture
def lake(samples_lake: Path, tmp_path: Path) -> Lake:
    """The module's lake, copied so each test writes its own chargeback table."""
    shutil.copytree(samples_lake, tmp_path / "lake")
    return open_lake(tmp_path / "lake")


def lake_totals(lake: Lake) -> dict[tuple[date, str], Decimal]:
    rows = sql(
        lake,
        "SELECT date_trunc('month', BillingPeriodStart)::DATE AS p, BillingCurrency AS c, "
        "sum(EffectiveCost) AS total FROM focus GROUP BY ALL",
    ).to_pylist()
    return {(r["p"], r["c"]): quantize(r["total"], r["c"]) for r in rows}


@pytest.mark.parametrize("month", [date(2023, 9, 1), date(2023, 11, 1), date(2024, 9, 1)])
def test_the_example_rules_allocate_each_bundled_period_to_the_cent(
    lake: Lake, month: date
) -> None:
    allocation, _ = allocate_period(lake, load_rules(EXAMPLE_RULES), month)
    allocated = allocation.allocated()
    assert allocation.warnings == []
    for (period, currency), total in lake_totals(lake).items():
        if period == month:
            assert allocated[(period, currency)] == total


def test_the_example_splits_the_platform_and_a_cost_center_into_products(lake: Lake) -> None:
    allocation, _ = allocate_period(lake, load_rules(EXAMPLE_RULES), date(2023, 9, 1))
    methods = {(x.cost_object, x.rule): x.method for x in allocation.lines}
    assert methods[("product:web", "cost-center-1234")] == "fixed"
    assert methods[("cc:SubACM", "kubernetes-nodes")] == "proportional"
    assert allocation.unallocated() == {}


def test_rewriting_the_same_rules_on_the_same_snapshot_leaves_the_same_rows(lake: Lake) -> None:
    rules = load_rules(EXAMPLE_RULES)
    allocation, snapshot = allocate_period(lake, rules, date(2024, 9, 1))
    write_chargeback(lake, allocation, rules, snapshot)
    table = chargeback_table(lake.catalog, lake.namespace)
    first = table.scan().to_arrow().sort_by([("cost_object", "ascending"), ("rule", "ascending")])
    again, same_snapshot = allocate_period(lake, rules, date(2024, 9, 1))
    write_chargeback(lake, again, rules, same_snapshot)
    second = table.refresh().scan().to_arrow()
    assert second.sort_by([("cost_object", "ascending"), ("rule", "ascending")]) == first
    assert set(first["source_snapshot_id"].to_pylist()) == {snapshot}
    assert sum(first["amount"].to_pylist()) == lake_totals(lake)[(date(2024, 9, 1), "USD")]


def test_chargeback_rows_of_other_periods_and_rule_sets_are_kept(lake: Lake) -> None:
    example, k8s = load_rules(EXAMPLE_RULES), load_rules(K8S)
    for rules, month in (
        (example, date(2023, 9, 1)),
        (example, date(2024, 9, 1)),
        (k8s, date(2024, 9, 1)),
    ):
        allocation, snapshot = allocate_period(lake, rules, month)
        write_chargeback(lake, allocation, rules, snapshot)
    rows = chargeback_table(lake.catalog, lake.namespace).scan().to_arrow()
    assert sorted(
        set(zip(rows["rule_set"].to_pylist(), rows["period"].to_pylist(), strict=True))
    ) == [
        ("example", date(2023, 9, 1)),
        ("example", date(2024, 9, 1)),
        ("kubernetes", date(2024, 9, 1)),
    ]


def test_split_rows_carry_the_focus_1_3_allocated_columns(lake: Lake) -> None:
    rules = load_rules(K8S)
    allocation, snapshot = allocate_period(lake, rules, date(2024, 9, 1))
    write_chargeback(lake, allocation, rules, snapshot)
    rows = chargeback_table(lake.catalog, lake.namespace).scan().to_arrow().to_pylist()
    split = next(
        r for r in rows if r["rule"] == "cluster-compute" and r["cost_object"] == "ns:opencost"
    )
    assert split["AllocatedMethodId"] == "cluster-compute"
    assert split["AllocatedResourceId"] == "ns:opencost"
    details = orjson.loads(split["AllocatedMethodDetails"])
    assert details["Elements"][0]["UsageUnit"] == "totalCost"
    assert details["Elements"][0]["UsageQuantity"] == pytest.approx(0.10937)
    fallback = next(r for r in rows if r["rule"] == "(fallback)")
    assert fallback["AllocatedMethodId"] is None
    assert fallback["AllocatedResourceId"] is None


def test_kubernetes_cluster_cost_follows_the_opencost_namespace_costs(lake: Lake) -> None:
    """Step 1 splits the cluster by OpenCost's namespace costs; step 2 spreads kube-system
    over the other namespaces by what they got (OpenCost's shareNamespaces)."""
    pool = quantize(
        sql(
            lake,
            "SELECT sum(EffectiveCost) AS c FROM focus WHERE ServiceCategory = 'Compute' "
            "AND SubAccountId = '11353890204' AND BillingPeriodStart = '2024-09-01'",
        )["c"][0].as_py(),
        "USD",
    )
    allocation, _ = allocate_period(lake, load_rules(K8S), date(2024, 9, 1))
    cluster = {x.cost_object: x.amount for x in allocation.lines if x.rule == "cluster-compute"}
    opencost, prometheus, everything = Decimal("0.10937"), Decimal("0.14136"), Decimal("1.77816")
    assert abs(cluster["ns:opencost"] - pool * opencost / everything) <= Decimal("0.01")
    assert abs(cluster["ns:prometheus"] - pool * prometheus / everything) <= Decimal("0.01")
    totals = {o: a for (_, _, o), a in allocation.totals().items()}
    assert set(totals) == {"central-it", "ns:opencost", "ns:prometheus"}
    assert totals["ns:opencost"] + totals["ns:prometheus"] == pool
    kube_system = {x.cost_object: x.amount for x in allocation.lines if x.rule == "kube-system"}
    assert abs(
        kube_system["ns:opencost"] / kube_system["ns:prometheus"] - opencost / prometheus
    ) < Decimal("0.01")


def test_a_period_the_lake_does_not_hold_names_the_periods_it_does(lake: Lake) -> None:
    with pytest.raises(AllocationError) as caught:
        allocate_period(lake, load_rules(EXAMPLE_RULES), date(2022, 1, 1))
    assert caught.value.code == "empty_period"
    assert "2022-01 (the lake has: 2023-09, 2023-11, 2024-09, 2024-10)" in caught.value.message
