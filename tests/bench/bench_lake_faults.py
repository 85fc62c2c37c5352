"""Orphan bytes after a kill sweep: N ingests, each killed with SIGKILL at one write step
(cycling through the steps the fault-injection suite names), then one `lake expire` run.

Each ingest is its own process (tests/integration/lake/fault_child.py) restating the same
two billing periods of a lake with a new version of the bill. After every kill the lake
must hold the previous bill or the new one, whole (a mix is counted). Baseline, from the
same run: the orphan bytes the sweep left before maintenance, which is what stayed for good
before `lake expire` existed. BENCH_FAULT_KILLS sets N (default 14), BENCH_FAULT_ROWS the
rows per billing period (default 20,000).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from costplane.billing.lake.maintenance import expire, orphans
from costplane.billing.lake.manifest import Manifest
from costplane.billing.lake.table import Lake, open_lake
from costplane.billing.lake.writer import ingest
from tests.bench.report import Figure, console, show
from tests.integration.lake.conftest import ArrowStreamNormaliser, bill_rows, write_bill
from tests.integration.lake.test_lake_faults import WRITE_STEPS, held

CHILD = Path(__file__).parents[1] / "integration" / "lake" / "fault_child.py"


def orphan_bytes(lake: Lake, cutoff: datetime) -> tuple[int, int]:
    tables = [lake.focus.refresh(), Manifest(lake.catalog, lake.namespace).table.refresh()]
    found = [info for table in tables for info in orphans(table, cutoff)]
    return len(found), sum(info.size or 0 for info in found)


def run() -> list[Figure]:
    kills = int(os.environ.get("BENCH_FAULT_KILLS", "14"))
    rows = int(os.environ.get("BENCH_FAULT_ROWS", "20000"))
    with tempfile.TemporaryDirectory() as work:
        root = Path(work)
        lake = open_lake(root / "lake")
        path = root / "bill.arrows"

        def version(n: int) -> dict[int, tuple[int, Decimal]]:
            return {month: (rows + n, Decimal(n + 1)) for month in (1, 2)}

        def write(figures: dict[int, tuple[int, Decimal]]) -> None:
            write_bill(path, *(bill_rows(n, m, cost=str(c)) for m, (n, c) in figures.items()))

        previous = version(0)
        write(previous)
        ingest(lake, ArrowStreamNormaliser(), [path])
        mixed = not_killed = 0
        for n in range(1, kills + 1):
            new = version(n)
            write(new)
            target, nth, when = WRITE_STEPS[(n - 1) % len(WRITE_STEPS)].values
            command = [sys.executable, str(CHILD), str(root / "lake"), str(path)]
            code = subprocess.call([*command, str(target), str(nth), str(when)])
            not_killed += code != -9
            now = held(open_lake(root / "lake"))
            mixed += now not in (previous, new)
            previous = now
        cutoff = datetime.now(UTC) + timedelta(seconds=1)
        files_before, bytes_before = orphan_bytes(lake, cutoff)
        expire(lake, cutoff)
        files_after, bytes_after = orphan_bytes(lake, cutoff)
    show(
        f"Kill sweep: {kills} ingests of 2 x {rows:,} rows, each SIGKILLed at a write step,"
        " then one lake expire",
        [
            Figure(
                "orphan bytes after one maintenance run",
                bytes_after,
                bytes_before,
                "B",
                "0",
                "orphan bytes the sweep left before maintenance",
            ),
            Figure(
                "orphan files after one maintenance run",
                files_after,
                files_before,
                "files",
                "0",
                "orphan files the sweep left before maintenance",
            ),
        ],
    )
    console.print(
        f"lake held a mix of two bills after {mixed} of {kills} kills (goal 0);"
        f" {not_killed} child(ren) exited without reaching their kill point"
    )
    return []


if __name__ == "__main__":
    run()
