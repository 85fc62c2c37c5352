"""`costplane marks …`: the resources marked for an operation, and the sweep that acts on them
when their mark comes due (on the configured plane, COSTPLANE_PLANE, else the local one)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

import typer

from costplane import bootstrap
from costplane.cli.output import JsonOption, console, fail, json_lines, table
from costplane.config import Settings
from costplane.tagging.sweep import MarkSweep, MarkView, SweepReport, summary

app = typer.Typer(no_args_is_help=True)

AtOption = Annotated[
    str | None,
    typer.Option("--at", help="The time to judge at, ISO 8601 (UTC unless it says); default now."),
]


@app.callback()
def marks() -> None:
    """Resources marked for an operation (mark-for-op), and the sweep that carries it out."""


def parse_at(at: str | None) -> datetime | None:
    if at is None:
        return None
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        fail(f"--at {at!r} is not an ISO 8601 time (e.g. 2026-11-28T06:15Z)")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def sweep_at(at: datetime | None, settings: Settings | None = None) -> MarkSweep:
    """The configured plane's sweep; `at` pins the clock, which only the local plane allows:
    a cloud's sweep runs at the real time, so that no mark is ever carried out early."""
    settings = settings or Settings()
    plane = settings.plane or "local"
    if at is not None and plane != "local":
        fail(f"--at pins the clock of the local plane only; the {plane} plane sweeps at now")
    if at is not None:
        settings = settings.model_copy(update={"clock": at})
    return bootstrap.mark_sweep(settings, plane=plane)


def mark_row(view: MarkView) -> dict[str, Any]:
    """The stable JSON shape of a marked resource on the command line."""
    ref = view.resource.ref
    return {
        "provider": ref.provider.value,
        "account": ref.account,
        "region": ref.region,
        "resource_id": ref.resource_id,
        "resource_type": ref.resource_type,
        "operation": view.mark.op.value if view.mark else None,
        "due": view.mark.at.isoformat() if view.mark else None,
        "verdict": view.verdict,
    }


@app.command("due")
def due(at: AtOption = None, as_json: JsonOption = False) -> None:
    """List marked resources with their operation, due time and what a sweep would do."""
    moment = parse_at(at) or datetime.now(UTC)
    settings = Settings()
    sweep = bootstrap.mark_sweep(settings, plane=settings.plane or "local")
    rows = [mark_row(view) for view in sweep.preview(moment)]
    if as_json:
        json_lines(rows)
        return
    table(
        f"Marked resources at {moment:%Y-%m-%d %H:%M}Z",
        ["resource", "type", "operation", "due", "verdict"],
        (
            (r["resource_id"], r["resource_type"], r["operation"], r["due"], r["verdict"])
            for r in rows
        ),
    )


@app.command("sweep")
def sweep(at: AtOption = None, as_json: JsonOption = False) -> None:
    """Run the sweep once on the configured plane (dry-run unless COSTPLANE_MODE=enforce)."""
    report = sweep_at(parse_at(at)).sweep()
    if as_json:
        json_lines([summary(report)])
        return
    render_report(report)


def render_report(report: SweepReport) -> None:
    """One line per acted-on or cleared resource, then the counts."""
    table(
        f"Sweep at {report.at:%Y-%m-%d %H:%M}Z",
        ["resource", "outcome", "actions", "reason"],
        (
            (
                d.resource_id,
                d.outcome.value,
                ", ".join(f"{a.kind.value}:{a.status.value}" for a in d.actions),
                d.reason,
            )
            for d in report.decisions
        ),
    )
    counts = ", ".join(f"{name} {count}" for name, count in sorted(report.outcomes.items()))
    done = "pass complete" if report.complete else "resumes at its cursor next time"
    console.print(f"{counts or 'no marks'}; {done}")
    for failure in report.failures():
        console.print(f"[red]failed[/] {failure} (retried by the next sweep)")
