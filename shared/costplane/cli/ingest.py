"""`costplane ingest`: normalise bill files to FOCUS and restate their periods in the lake."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer
from pyiceberg.exceptions import CommitFailedException, ValidationException
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from costplane.billing.focus.errors import BillFileError, UnknownSourceError
from costplane.billing.focus.sources import get_normaliser, normaliser_names
from costplane.billing.lake.writer import IngestReport, OnBatch, ingest
from costplane.cli.lake import LakeOption, dump_json, lake_at
from costplane.cli.output import (
    JsonOption,
    count,
    errors,
    fail,
    money,
    say,
    sums_by_currency,
    table,
    warn,
)


@contextmanager
def progress_bar(enabled: bool) -> Iterator[OnBatch]:
    """A rich progress line per file (rows read so far), on stderr so stdout stays clean."""
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed:,.0f} rows"),
        TimeElapsedColumn(),
        console=errors,
        transient=True,
        disable=not enabled,
    )
    tasks: dict[Path, TaskID] = {}

    def on_batch(path: Path, rows: int) -> None:
        if path not in tasks:
            tasks[path] = progress.add_task(path.name, total=None)
        progress.update(tasks[path], advance=rows)

    with progress:
        yield on_batch


EPOCH_YEARS = 2000
"""Billing periods before this year are dates that were missing (read as 1970-01-01)."""


def render(report: IngestReport) -> None:
    ingested = [f for f in report.files if f.status == "ingested"]
    skipped = len(report.files) - len(ingested)
    if not ingested:
        say(f"nothing to do: {skipped} file(s) unchanged since they were ingested")
        return
    for t in report.totals:
        if t.billing_period_start.year < EPOCH_YEARS:
            warn(
                f"{t.rows:,} rows are dated {t.billing_period_start:%Y-%m}: their file has no "
                "usable billing dates (a sample or an export with empty date columns)"
            )
    skipped_note = f"; {skipped} unchanged file(s) skipped" if skipped else ""
    sums = sums_by_currency(
        (t.billing_currency, (Decimal(t.rows), t.billed_cost, t.effective_cost))
        for t in report.totals
    )
    table(
        f"Ingested {report.rows:,} rows from {len(ingested)} file(s) as {report.source}"
        f"{skipped_note}",
        ["billing period", "rows", "BilledCost", "EffectiveCost"],
        (
            (
                t.billing_period_start.strftime("%Y-%m"),
                count(t.rows),
                money(t.billed_cost, t.billing_currency),
                money(t.effective_cost, t.billing_currency),
            )
            for t in report.totals
        ),
        totals=[
            ("total", count(int(rows)), money(billed, currency), money(effective, currency))
            for currency, (rows, billed, effective) in sums.items()
        ]
        if len(report.totals) > 1
        else (),
    )


def ingest_command(
    files: Annotated[
        list[Path],
        typer.Argument(help="Bill files of one delivery (e.g. every part of a CUR export)."),
    ],
    source: Annotated[
        str,
        typer.Option(
            "--source", "-s", help=f"Bill source, one of: {', '.join(normaliser_names())}."
        ),
    ],
    lake: LakeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Normalise bill files to FOCUS and replace their billing periods in the lake.

    The files are committed together in one snapshot, or not at all.
    For each source, billing account and billing period in them,
    the lake's rows are replaced by theirs.
    Files ingested before with the same content are skipped.
    """
    try:
        normaliser = get_normaliser(source)
    except UnknownSourceError as exc:
        fail(str(exc))
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        fail(f"no such file: {', '.join(missing)}")
    try:
        with progress_bar(enabled=not as_json) as on_batch:
            report = ingest(lake_at(lake, create=True), normaliser, files, progress=on_batch)
    except BillFileError as exc:
        fail(f"{exc} ({exc.code}); nothing was committed")
    except (CommitFailedException, ValidationException) as exc:
        fail(f"other writers kept winning the commit ({exc}); nothing was committed", 1)
    except OSError as exc:
        fail(str(exc))
    if as_json:
        sys.stdout.buffer.write(dump_json(report.model_dump(mode="json")) + b"\n")
    else:
        render(report)
