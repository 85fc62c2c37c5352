"""Concurrent ingests of different periods against one SQLite catalog: every one lands."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
from pathlib import Path

from costplane.billing.lake.restate import Restatement
from costplane.billing.lake.table import Lake, open_lake
from costplane.billing.lake.writer import ingest

CONFTEST = Path(__file__).with_name("conftest.py")


def rows_per_month(lake: Lake) -> dict[int, int]:
    table = lake.focus.refresh().scan(selected_fields=("BillingPeriodStart",)).to_arrow()
    months = [ts.month for ts in table["BillingPeriodStart"].to_pylist()]
    return {month: months.count(month) for month in sorted(set(months))}


def test_two_threads_ingesting_different_periods_both_land(tmp_path, normaliser, rows, bill):
    lake_dir = tmp_path / "lake"
    open_lake(lake_dir)
    bills = [bill("jan.arrows", rows(3, 1)), bill("feb.arrows", rows(4, 2))]
    start = threading.Barrier(len(bills))
    failures: list[BaseException] = []

    def run(path: Path) -> None:
        lake = open_lake(lake_dir)
        start.wait()
        try:
            ingest(lake, normaliser, [path])
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(path,)) for path in bills]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert rows_per_month(open_lake(lake_dir)) == {1: 3, 2: 4}


def test_two_processes_ingesting_different_periods_all_land(tmp_path, rows, bill):
    lake_dir = tmp_path / "lake"
    open_lake(lake_dir)
    script = textwrap.dedent(
        """
        import importlib.util, sys
        from pathlib import Path
        spec = importlib.util.spec_from_file_location("lake_bills", sys.argv[1])
        bills = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(bills)
        from costplane.billing.lake.table import open_lake
        from costplane.billing.lake.writer import ingest
        lake = open_lake(Path(sys.argv[2]))
        for path in sys.argv[3:]:
            ingest(lake, bills.ArrowStreamNormaliser(), [Path(path)])
        """
    )
    months = {"odd": (1, 3), "even": (2, 4)}
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-c",
                script,
                str(CONFTEST),
                str(lake_dir),
                *(str(bill(f"{m}.arrows", rows(m, m))) for m in ms),
            ]
        )
        for ms in months.values()
    ]
    assert [p.wait(timeout=120) for p in processes] == [0, 0]
    assert rows_per_month(open_lake(lake_dir)) == {m: m for m in range(1, 5)}


def race(monkeypatch, lake_dir: Path, normaliser, racing_bill: Path) -> list[int]:
    """Make the next restatement lose a race: another ingest commits during its first staging.

    Returns the list the staging attempts are counted in.
    """
    stage = Restatement.stage
    attempts: list[int] = []

    def racing_stage(self, table, transaction):
        attempts.append(len(attempts) + 1)
        if len(attempts) == 1:
            with monkeypatch.context() as undo:
                undo.setattr(Restatement, "stage", stage)
                ingest(open_lake(lake_dir), normaliser, [racing_bill])
        stage(self, table, transaction)

    monkeypatch.setattr(Restatement, "stage", racing_stage)
    return attempts


def test_ingest_lands_beside_a_different_period_committed_while_it_staged(
    tmp_path, normaliser, rows, bill, monkeypatch
):
    lake = open_lake(tmp_path / "lake")
    ingest(lake, normaliser, [bill("jan.arrows", rows(3, 1))])
    race(monkeypatch, tmp_path / "lake", normaliser, bill("feb.arrows", rows(4, 2)))
    ingest(lake, normaliser, [bill("jan.arrows", rows(5, 1))])
    assert rows_per_month(lake) == {1: 5, 2: 4}


def test_ingest_replans_when_the_same_period_was_restated_while_it_staged(
    tmp_path, normaliser, rows, bill, monkeypatch
):
    lake = open_lake(tmp_path / "lake")
    ingest(lake, normaliser, [bill("jan.arrows", rows(3, 1))])
    attempts = race(monkeypatch, tmp_path / "lake", normaliser, bill("jan-b.arrows", rows(4, 1)))
    ingest(lake, normaliser, [bill("jan.arrows", rows(5, 1))])
    assert attempts == [1, 2]
    assert rows_per_month(lake) == {1: 5}
