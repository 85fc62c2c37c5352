"""Weights from outside the bill: metrics tables and the real OpenCost allocation sample."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from costplane.billing.allocation.errors import AllocationError
from costplane.billing.allocation.metrics import file_weights, opencost_weights
from costplane.billing.allocation.rules import FileMetric, OpenCostMetric
from tests.conftest import TEST_DATA

OPENCOST = TEST_DATA / "k8s" / "opencost_allocation_7d_by_namespace.json"
SEPTEMBER = date(2024, 9, 1)


def opencost(path: Path = OPENCOST, **extra: str) -> OpenCostMetric:
    return OpenCostMetric.model_validate({"source": "opencost", "path": path, **extra})


def requests(path: Path, **extra: str) -> FileMetric:
    return FileMetric.model_validate(
        {"source": "file", "path": path, "key": "team", "value": "requests", **extra}
    )


def test_opencost_weights_are_each_namespaces_total_cost_exactly_as_written() -> None:
    assert opencost_weights(opencost()) == {
        "kube-system": Decimal("1.52743"),
        "opencost": Decimal("0.10937"),
        "prometheus": Decimal("0.14136"),
    }


def test_opencost_can_weigh_by_another_field() -> None:
    weights = opencost_weights(opencost(value="cpuCoreHours"))
    assert weights["kube-system"] == Decimal("75.55915")


def test_opencost_by_label_groups_namespaces_and_keeps_unlabelled_ones_unallocated() -> None:
    assert opencost_weights(opencost(label="name")) == {
        "opencost": Decimal("0.10937"),
        "prometheus": Decimal("0.14136"),
        None: Decimal("1.52743"),
    }


def test_opencost_idle_is_left_out_so_it_is_shared_proportionally(tmp_path: Path) -> None:
    document = orjson.loads(OPENCOST.read_bytes())
    document["data"][0]["__idle__"] = {"name": "__idle__", "totalCost": 9.5}
    document["data"][0]["__unallocated__"] = {"name": "__unallocated__", "totalCost": 0.25}
    path = tmp_path / "with-idle.json"
    path.write_bytes(orjson.dumps(document))
    weights = opencost_weights(opencost(path))
    assert "__idle__" not in weights
    assert weights[None] == Decimal("0.25")


def test_a_file_that_is_not_an_opencost_response_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"code": 200, "data": {"oops": 1}}')
    with pytest.raises(AllocationError, match="not an OpenCost /allocation response"):
        opencost_weights(opencost(path))


def test_a_csv_metric_sums_per_key_in_exact_decimals(tmp_path: Path) -> None:
    path = tmp_path / "requests.csv"
    path.write_text("team,requests\nweb,0.1\nweb,0.2\napi,3\n,1\n")
    assert file_weights(requests(path), SEPTEMBER) == {
        "web": Decimal("0.3"),
        "api": Decimal("3"),
        None: Decimal("1"),
    }


def test_a_parquet_metric_keeps_only_the_period_rows(tmp_path: Path) -> None:
    path = tmp_path / "requests.parquet"
    table = pa.table(
        {"month": ["2024-09-01", "2024-10-01"], "team": ["web", "web"], "requests": [5, 7]}
    )
    pq.write_table(table, path)
    assert file_weights(requests(path, period_column="month"), SEPTEMBER) == {"web": Decimal(5)}


def test_a_missing_metric_column_is_named_with_the_columns_there_are(tmp_path: Path) -> None:
    path = tmp_path / "requests.csv"
    path.write_text("team,calls\nweb,1\n")
    with pytest.raises(AllocationError, match="no column 'requests'; columns are team, calls"):
        file_weights(requests(path), SEPTEMBER)


def test_a_value_that_is_not_a_number_names_its_row(tmp_path: Path) -> None:
    path = tmp_path / "requests.csv"
    path.write_text("team,requests\nweb,1\napi,lots\n")
    with pytest.raises(AllocationError, match="row 2, column requests: 'lots' is not a number"):
        file_weights(requests(path), SEPTEMBER)
