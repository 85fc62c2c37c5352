"""Usage weights from outside the bill: a metrics table (CSV/Parquet) or OpenCost allocations.

Weights are keyed by consumer name; the key None is a consumer nobody could name (OpenCost's
`__unallocated__`, a metrics row without a key), whose share stays visibly unallocated.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from costplane.billing.allocation.errors import AllocationError
from costplane.billing.allocation.rules import FileMetric, OpenCostMetric

Weights = dict[str | None, Decimal]

OPENCOST_IDLE = "__idle__"
OPENCOST_UNALLOCATED = "__unallocated__"


def _read_table(path: Path, text_columns: list[str]) -> pa.Table:
    """A CSV (numbers kept as text, so Decimal sees exactly what was written) or Parquet."""
    try:
        if path.suffix.lower() == ".csv":
            options = pacsv.ConvertOptions(column_types=dict.fromkeys(text_columns, pa.string()))
            return pacsv.read_csv(path, convert_options=options)
        if path.suffix.lower() in (".parquet", ".pq"):
            return pq.read_table(path)
    except (OSError, pa.ArrowInvalid) as exc:
        raise AllocationError("bad_metric", f"{path}: cannot read metrics: {exc}") from exc
    raise AllocationError("bad_metric", f"{path}: metrics must be .csv or .parquet")


def _decimal(value: Any, where: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise AllocationError("bad_metric", f"{where}: {value!r} is not a number") from None
    if not number.is_finite():
        raise AllocationError("bad_metric", f"{where}: {value!r} is not a finite number")
    return number


def file_weights(metric: FileMetric, period: date) -> Weights:
    """Sum of `value` per `key` (in `period` when the table has a period column)."""
    wanted = [metric.key, metric.value, *([metric.period_column] if metric.period_column else [])]
    table = _read_table(metric.path, wanted)
    if missing := [c for c in wanted if c not in table.column_names]:
        raise AllocationError(
            "unknown_column",
            f"{metric.path}: no column {', '.join(map(repr, missing))}; "
            f"columns are {', '.join(table.column_names)}",
        )
    if metric.period_column:
        month = pc.utf8_slice_codeunits(table[metric.period_column].cast(pa.string()), 0, 7)
        table = table.filter(pc.equal(month, period.strftime("%Y-%m")))
    keys = table[metric.key].cast(pa.string()).to_pylist()
    values = table[metric.value].cast(pa.string()).to_pylist()
    weights: Weights = defaultdict(Decimal)
    for row, (key, value) in enumerate(zip(keys, values, strict=True), start=1):
        if value is not None:
            where = f"{metric.path}: row {row}, column {metric.value}"
            weights[key or None] += _decimal(value, where)
    return dict(weights)


def opencost_weights(metric: OpenCostMetric) -> Weights:
    """Sum of `value` per namespace (or namespace label) over every window of the response."""
    try:
        # json, not orjson: parse_float=Decimal keeps OpenCost's numbers exactly as written.
        document = json.loads(metric.path.read_bytes(), parse_float=Decimal)
    except OSError as exc:
        raise AllocationError("bad_metric", f"{metric.path}: cannot read: {exc.strerror}") from exc
    except ValueError as exc:
        raise AllocationError("bad_metric", f"{metric.path}: not JSON: {exc}") from exc
    windows = document.get("data") if isinstance(document, dict) else None
    if not isinstance(windows, list) or not all(isinstance(w, dict) for w in windows):
        raise AllocationError(
            "bad_metric", f"{metric.path}: not an OpenCost /allocation response (no data[])"
        )
    weights: Weights = defaultdict(Decimal)
    for window in windows:
        for name, allocation in window.items():
            if name == OPENCOST_IDLE:
                continue
            where = f"{metric.path}: {name}.{metric.value}"
            if not isinstance(allocation, dict) or metric.value not in allocation:
                raise AllocationError("bad_metric", f"{where}: missing")
            weights[_opencost_key(name, allocation, metric.label)] += _decimal(
                allocation[metric.value], where
            )
    return dict(weights)


def _opencost_key(name: str, allocation: dict[str, Any], label: str | None) -> str | None:
    if name == OPENCOST_UNALLOCATED:
        return None
    properties = allocation.get("properties") or {}
    if label is None:
        namespace = properties.get("namespace") or name
        return str(namespace)
    for labels in (properties.get("labels"), properties.get("namespaceLabels")):
        if isinstance(labels, dict) and labels.get(label):
            return str(labels[label])
    return None
