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

from costplane.billing.focus.ai_companions import UsageBasis, pair_of
from costplane.billing.focus.errors import BillFileError, UnknownSourceError
from costplane.billing.focus.registry import Normaliser
from costplane.billing.focus.sources import get_normaliser, normaliser_names
from costplane.billing.focus.sources.ai_reports import AiReportNormaliser
from costplane.billing.lake.conflicts import IngestRefused, Replacement
from costplane.billing.lake.writer import IngestReport, OnBatch, ingest
from costplane.cli.delivery import (
    DeliveryError,
    delivery_files,
    detected_source,
    needs_confirmation,
)
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


def for_organisation(normaliser: Normaliser, organisation: str) -> Normaliser:
    """The AI report normaliser for one organisation's files; other bills name their own."""
    if not isinstance(normaliser, AiReportNormaliser):
        raise DeliveryError(
            f"--billing-account is for AI usage and cost reports; {normaliser.name} bills"
            " carry their own billing account"
        )
    return normaliser.with_organisation(organisation)


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


def render_replacement(replaced: Replacement, source: str = "") -> None:
    """What a restatement replaces: rows, other files and sources, totals before and after."""
    if replaced.files or replaced.sources:
        others = [Path(f).name for f in replaced.files] + [f"source {s}" for s in replaced.sources]
        warn(
            f"replaces {replaced.rows:,} rows that came from {len(others)} other"
            f" file(s) or source(s): {', '.join(others)}"
        )
    elif replaced.rows:
        warn(f"restates {replaced.rows:,} rows of the same file(s)")
    if replaced.kept and pair_of(source):
        warn(
            f"wrote again {replaced.kept:,} AI usage rows of the same months: reported (cost 0)"
            " on the days the cost report covers, priced on the others"
        )
    elif replaced.kept:
        warn(
            f"kept {replaced.kept:,} rows of the other Azure export of the same periods:"
            " the two are combined (BilledCost from the actual, EffectiveCost from the"
            " amortized one)"
        )
    table(
        "Totals of the restated periods, before and after",
        ["billing period", "currency", "", "rows", "BilledCost", "EffectiveCost"],
        (
            (
                t.billing_period_start.strftime("%Y-%m"),
                t.billing_currency,
                when,
                count(t.rows),
                money(t.billed_cost, t.billing_currency),
                money(t.effective_cost, t.billing_currency),
            )
            for when, totals in (("before", replaced.before), ("after", replaced.after))
            for t in totals
        ),
    )


def render_usage(usage: UsageBasis) -> None:
    """How the AI usage rows are costed, and the models the price book cannot price."""
    if usage.unpriced:
        warn(
            f"{usage.unpriced:,} AI usage rows are unpriced (cost 0): the price book has no"
            f" price for {', '.join(usage.unpriced_models)}"
        )
    say(
        f"AI usage rows: {usage.priced:,} priced from the price book, {usage.reported:,}"
        f" reported (their cost is the cost report's), {usage.unpriced:,} unpriced"
    )


def render(report: IngestReport) -> None:
    for empty in (f for f in report.files if f.status == "empty"):
        warn(f"{empty.path} holds no rows (a header only?); nothing of it is in the lake")
    for partial in (f for f in report.files if f.left_out):
        warn(
            f"{partial.path}: {partial.left_out:,} rows left out, as the other Azure export"
            " of their periods holds them"
        )
    ingested = [f for f in report.files if f.status == "ingested"]
    skipped = len(report.files) - len(ingested)
    if report.replaced is not None:
        render_replacement(report.replaced, report.source)
    if report.usage is not None:
        render_usage(report.usage)
    if not ingested:
        unchanged = sum(f.status == "unchanged" for f in report.files)
        say(f"nothing to do: {unchanged} file(s) unchanged since they were ingested")
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
        typer.Argument(
            help="Bill files, directories or quoted glob patterns: one delivery (every part)."
        ),
    ],
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            "-s",
            help=f"Bill source: {', '.join(normaliser_names())}. Detected when left out.",
            show_default=False,
        ),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Replace rows of the same periods from other files or other sources.",
        ),
    ] = False,
    billing_account: Annotated[
        str | None,
        typer.Option(
            "--billing-account",
            help="The organisation of AI usage/cost report files (openai-…, anthropic-…)"
            " when their path has no org=<id> segment.",
            show_default=False,
        ),
    ] = None,
    lake: LakeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Normalise bill files to FOCUS and replace their billing periods in the lake.

    The files are committed together in one snapshot, or not at all.
    For each source, billing account and billing period in them,
    the lake's rows are replaced by theirs; what they replace is reported,
    and at a terminal, rows from other files need --replace
    (unless a delivery manifest comes with the files).
    A file already in the lake under another source, or rows of its periods
    from another source, are refused (--replace replaces the latter).
    Files ingested before with the same content are skipped.
    """
    try:
        delivery = delivery_files(files)
        normaliser = get_normaliser(source or detected_source(delivery.files))
        if billing_account is not None:
            normaliser = for_organisation(normaliser, billing_account)
    except (DeliveryError, UnknownSourceError) as exc:
        fail(str(exc))
    except BillFileError as exc:
        fail(f"{exc} ({exc.code})")

    def refuse(replaced: Replacement) -> bool:
        """At a terminal without --replace: show what would be replaced, and replace nothing."""
        render_replacement(replaced)
        return False

    try:
        with progress_bar(enabled=not as_json) as on_batch:
            report = ingest(
                lake_at(lake, create=True),
                normaliser,
                delivery.files,
                progress=on_batch,
                replace=replace,
                confirm=refuse if needs_confirmation(delivery, replace) else None,
            )
    except IngestRefused as exc:
        fail(f"{exc} ({exc.code}); nothing was committed")
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
