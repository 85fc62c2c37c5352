"""Fault injection: an ingest killed (SIGKILL) between any two of its write steps, racing
writers, and a store that fails a write. The lake holds the old bill or the new one, never a
mix, stays writable, and after `lake expire` holds no orphan file."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from costplane.billing.lake.datafiles import DataFileWriter
from costplane.billing.lake.maintenance import expire, orphans
from costplane.billing.lake.manifest import Manifest
from costplane.billing.lake.restate import Restatement
from costplane.billing.lake.table import Lake, open_lake
from costplane.billing.lake.writer import ingest

CHILD = Path(__file__).with_name("fault_child.py")
OLD = {1: (3, Decimal("1.25")), 2: (2, Decimal("1.25"))}
NEW = {1: (5, Decimal("2.00")), 2: (4, Decimal("2.00"))}
FUTURE = datetime.now(UTC) + timedelta(days=1)
"""A cutoff after every file: the faults are over when maintenance runs."""

WRITE_STEPS = [
    pytest.param(
        "costplane.billing.lake.datafiles:DataFileWriter._finish",
        1,
        "after",
        id="data-file-written",
    ),
    pytest.param(
        "costplane.billing.lake.manifest:Manifest.forget", 1, "after", id="manifest-forgot"
    ),
    pytest.param(
        "costplane.billing.lake.restate:Restatement.stage", 1, "after", id="restatement-staged"
    ),
    pytest.param(
        "pyiceberg.catalog:MetastoreCatalog._write_metadata",
        1,
        "after",
        id="first-metadata-written",
    ),
    pytest.param(
        "pyiceberg.catalog:MetastoreCatalog._write_metadata",
        2,
        "after",
        id="second-metadata-written",
    ),
    pytest.param("pyiceberg.catalog.sql:SqlCatalog.commit_table", 2, "after", id="focus-committed"),
    pytest.param(
        "costplane.billing.lake.manifest:Manifest.record", 1, "before", id="before-record"
    ),
]


def bill_of(figures: dict[int, tuple[int, Decimal]]) -> list[pa.RecordBatch]:
    from tests.integration.lake.conftest import bill_rows

    return [bill_rows(rows, month, cost=str(cost)) for month, (rows, cost) in figures.items()]


def held(lake: Lake) -> dict[int, tuple[int, Decimal]]:
    """Per billing month: rows, and the one cost they all have (a mix fails here)."""
    rows = lake.focus.refresh().scan(selected_fields=("BillingPeriodStart", "BilledCost"))
    found: dict[int, list[Decimal]] = {}
    for row in rows.to_arrow().to_pylist():
        found.setdefault(row["BillingPeriodStart"].month, []).append(row["BilledCost"])
    assert all(len(set(costs)) == 1 for costs in found.values()), found
    return {month: (len(costs), costs[0]) for month, costs in sorted(found.items())}


def orphan_bytes(lake: Lake) -> int:
    tables = [lake.focus.refresh(), Manifest(lake.catalog, lake.namespace).table.refresh()]
    return sum(info.size or 0 for table in tables for info in orphans(table, FUTURE))


def child(
    lake_dir: Path, bill: Path, *fault: object, gate: Path | None = None
) -> subprocess.Popen[bytes]:
    gated = [f"--gate={gate}"] if gate else []
    command = [sys.executable, str(CHILD), *gated, str(lake_dir), str(bill), *map(str, fault)]
    return subprocess.Popen(command)


def open_gate(gate: Path, writers: list[subprocess.Popen[bytes]]) -> None:
    """Let the gated writers go once all of them are ready (or one has died)."""
    while len(list(gate.glob("ready-*"))) < len(writers) and all(w.poll() is None for w in writers):
        time.sleep(0.005)
    (gate / "go").touch()


@pytest.mark.parametrize(("target", "nth", "when"), WRITE_STEPS)
def test_an_ingest_killed_at_any_write_step_leaves_one_bill_whole_and_no_orphan_after_expire(
    tmp_path, normaliser, bill, target, nth, when
):
    lake_dir = tmp_path / "lake"
    ingest(open_lake(lake_dir), normaliser, [bill("bill.arrows", *bill_of(OLD))])
    bill("bill.arrows", *bill_of(NEW))

    killed = child(lake_dir, tmp_path / "bill.arrows", target, nth, when)
    killed.wait(timeout=60)

    assert killed.returncode == -9
    lake = open_lake(lake_dir)
    assert held(lake) in (OLD, NEW)
    expire(lake, FUTURE)
    assert orphan_bytes(lake) == 0
    assert held(lake) in (OLD, NEW)
    ingest(lake, normaliser, [tmp_path / "bill.arrows"])
    assert held(lake) == NEW


def test_first_writers_racing_to_create_the_lake_all_land(tmp_path, bill, rows):
    lake_dir = tmp_path / "lake"
    bills = [bill(f"m{month}.arrows", rows(month, month)) for month in range(1, 6)]

    writers = [child(lake_dir, path, gate=tmp_path) for path in bills]
    open_gate(tmp_path, writers)

    assert [w.wait(timeout=60) for w in writers] == [0] * len(bills)
    assert {month: n for month, (n, _) in held(open_lake(lake_dir)).items()} == {
        m: m for m in range(1, 6)
    }


def test_writers_restating_the_same_bill_at_once_leave_one_of_them_whole(
    tmp_path, normaliser, bill
):
    lake_dir = tmp_path / "lake"
    ingest(open_lake(lake_dir), normaliser, [bill("bill.arrows", *bill_of(OLD))])
    versions = [
        bill(f"v{cost}.arrows", *bill_of({1: (n, Decimal(cost))}))
        for n, cost in ((4, "3"), (6, "5"))
    ]

    writers = [child(lake_dir, path, gate=tmp_path) for path in versions]
    open_gate(tmp_path, writers)

    assert [w.wait(timeout=60) for w in writers] == [0, 0]
    assert held(open_lake(lake_dir))[1] in ((4, Decimal(3)), (6, Decimal(5)))


def test_a_store_failing_a_data_file_write_leaves_the_old_bill_and_no_file_behind(
    tmp_path, normaliser, bill, monkeypatch
):
    lake = open_lake(tmp_path / "lake")
    ingest(lake, normaliser, [bill("bill.arrows", *bill_of(OLD))])
    new = bill("bill.arrows", *bill_of(NEW))
    finish = DataFileWriter._finish
    calls = []

    def failing(self: DataFileWriter, file_key: tuple[object, ...]) -> None:
        calls.append(file_key)
        if len(calls) == 2:
            raise OSError("injected: the store refused the write")
        finish(self, file_key)

    monkeypatch.setattr(DataFileWriter, "_finish", failing)

    with pytest.raises(OSError, match="injected"):
        ingest(lake, normaliser, [new])

    assert held(lake) == OLD
    assert orphan_bytes(lake) == 0


def test_a_commit_failing_in_an_unknown_state_leaves_the_old_bill_and_expire_collects_its_files(
    tmp_path, normaliser, bill, monkeypatch
):
    lake = open_lake(tmp_path / "lake")
    ingest(lake, normaliser, [bill("bill.arrows", *bill_of(OLD))])
    new = bill("bill.arrows", *bill_of(NEW))

    def unreachable(*args: object, **kwargs: object) -> None:
        raise OSError("injected: the catalog did not answer")

    monkeypatch.setattr(Restatement, "stage", _then(Restatement.stage, unreachable))

    with pytest.raises(OSError, match="injected"):
        ingest(lake, normaliser, [new])

    assert held(lake) == OLD
    assert orphan_bytes(lake) > 0  # not deleted: the commit may have landed
    expire(lake, FUTURE)
    assert orphan_bytes(lake) == 0
    assert held(lake) == OLD


def _then(first: Callable[..., None], second: Callable[..., None]) -> Callable[..., None]:
    def both(*args: object, **kwargs: object) -> None:
        first(*args, **kwargs)
        second(*args, **kwargs)

    return both
