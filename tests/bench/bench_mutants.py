"""Issue 15's figures: mutants of the real events tried at the CLI and at each cloud's handler,
and what became of them (decisions, rejections with a stable code, retries, escaped exceptions).

It runs the property tests themselves (tests/*/test_*_mutants.py, through pytest, in this
process) with COSTPLANE_MUTANTS mutants per target instead of `make test`'s few dozen, and
prints the tally they keep. Run alone: `python -m tests.bench bench_mutants` (COSTPLANE_MUTANTS
to change the count, 300 by default).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from rich.table import Table

from tests.bench.report import console

REPO = Path(__file__).resolve().parents[2]
TESTS = (
    "tests/unit/cli/test_events_decide_mutants.py",
    "tests/functions/aws/test_aws_mutants.py",
    "tests/functions/azure/test_azure_mutants.py",
    "tests/functions/gcp/test_gcp_mutants.py",
)
COLUMNS = ("mutants", "decision", "rejection", "acknowledged", "retried", "escaped")


def run() -> dict[str, dict[str, int]]:
    os.environ.setdefault("COSTPLANE_MUTANTS", "300")
    from tests.support.mutants import TALLY  # reads COSTPLANE_MUTANTS

    TALLY.clear()
    status = pytest.main(
        ["-q", "-p", "no:cacheprovider", "-p", "no:logging", "-n", "0", *TESTS],
        plugins=[],
    )
    figures = {target: {c: counts[c] for c in COLUMNS} for target, counts in TALLY.items()}
    table = Table(
        title=f"Mutants of the real events (issue 15), pytest exit {int(status)}",
        title_justify="left",
        header_style="bold",
    )
    table.add_column("target", no_wrap=True)
    for column in COLUMNS:
        table.add_column(column, justify="right")
    for target, counts in sorted(figures.items()):
        table.add_row(target, *(str(counts[c]) for c in COLUMNS))
    console.print(table)
    return figures
