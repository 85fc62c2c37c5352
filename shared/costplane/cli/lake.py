"""`costplane lake …`: SQL over the FOCUS table, exports, and its commit history."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import duckdb
import orjson
import typer

from costplane.billing.lake.delete import Deletion, delete_bill, month
from costplane.billing.lake.maintenance import expire
from costplane.billing.lake.query import EmptyQuery, ExportFormat, export, history, sql
from costplane.billing.lake.table import Lake
from costplane.bootstrap import plane
from costplane.cli.delivery import interactive
from costplane.cli.output import JsonOption, VerboseOption, count, fail, say, table, warn
from costplane.config import Settings

app = typer.Typer(
    help="Query the FOCUS lake (DuckDB SQL, exports, commit history); delete a bill; expire.",
    no_args_is_help=True,
)

LakeOption = Annotated[
    Path | None,
    typer.Option(
        "--lake",
        help="Lake directory (default: $COSTPLANE_LAKE, else .costplane/).",
        show_default=False,
    ),
]


def lake_at(path: Path | None, *, create: bool = False) -> Lake:
    """The lake at `path`, or where the settings say; only an ingest may create it."""
    local = plane(Settings(lake=path) if path else Settings())
    if create:
        return local.open_lake()
    opened = local.lake()
    if opened is None:
        fail(f"no lake at {local.settings.lake}: ingest a bill first (costplane ingest --help)")
    return opened


def _json_default(value: object) -> str:
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dump_json(value: Any) -> bytes:
    """orjson with decimals as strings (exact, unlike floats)."""
    return orjson.dumps(value, default=_json_default)


def print_json_lines(rows: Iterable[Any]) -> None:
    out = sys.stdout.buffer
    for row in rows:
        out.write(dump_json(row) + b"\n")
    out.flush()


@app.command("sql")
def sql_command(
    query: Annotated[
        str,
        typer.Argument(help="DuckDB SQL over the lake's tables: focus, chargeback, …"),
    ],
    lake: LakeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Run a read-only SQL query over the lake's tables with DuckDB.

    The query reads the lake and nothing else: no file access, ATTACH or INSTALL.

    Example: costplane lake sql "SELECT ProviderName, sum(BilledCost) FROM focus GROUP BY 1"
    """
    try:
        result = sql(lake_at(lake), query)
    except (duckdb.Error, EmptyQuery) as exc:
        fail(str(exc))
    rows = result.to_pylist()
    if as_json:
        print_json_lines(rows)
    else:
        table("", result.column_names, (row.values() for row in rows))


@app.command("export")
def export_command(
    out: Annotated[Path, typer.Argument(help="File to write.")],
    fmt: Annotated[
        ExportFormat, typer.Option("--format", "-f", help="parquet or csv.")
    ] = "parquet",
    focus_only: Annotated[
        bool, typer.Option("--focus-only", help="Leave out the x_ lineage columns.")
    ] = False,
    lake: LakeOption = None,
) -> None:
    """Export the FOCUS table (current snapshot) to a Parquet or CSV file."""
    try:
        rows = export(lake_at(lake), fmt, out, focus_only=focus_only)
    except OSError as exc:
        fail(f"cannot write {out}: {exc}")
    typer.echo(f"wrote {rows} rows to {out}")


@app.command("history")
def history_command(
    lake: LakeOption = None, as_json: JsonOption = False, verbose: VerboseOption = False
) -> None:
    """List the table's commits, oldest first: what each added and removed, and from where."""
    commits = history(lake_at(lake))
    if as_json:
        print_json_lines(c.model_dump(mode="json") for c in commits)
        return
    columns = ["committed at", "operation", "+rows", "-rows", "rows", "source", "files"]
    table(
        "FOCUS table history",
        ["snapshot", *columns] if verbose else columns,
        (
            [
                *([c.snapshot_id] if verbose else []),
                c.committed_at.strftime("%Y-%m-%d %H:%M:%S"),
                c.operation,
                count(c.added_rows),
                count(c.deleted_rows),
                count(c.total_rows),
                c.source,
                ", ".join(Path(f).name for f in c.files),
            ]
            for c in commits
        ),
    )


_AGE = re.compile(r"(\d+)([smhd])")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def age(text: str) -> timedelta:
    """`30d`, `12h`, `15m`, `0s` as a duration (bad usage otherwise)."""
    found = _AGE.fullmatch(text.strip())
    if found is None:
        fail(f"--older-than {text!r}: give a number and a unit, as 3d, 12h, 15m or 0s")
    return timedelta(**{_UNITS[found[2]]: int(found[1])})


@app.command("expire")
def expire_command(
    older_than: Annotated[
        str,
        typer.Option(
            "--older-than",
            help="Expire snapshots and delete unreferenced files older than this (3d, 12h, 0s)."
            " Files younger than it may belong to an ingest still running: keep it above the"
            " longest ingest.",
        ),
    ] = "3d",
    lake: LakeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Maintenance: expire old snapshots and delete orphan files (of killed or failed ingests).

    The current snapshot is always kept; time travel reaches back only to the cutoff after.
    """
    cutoff = datetime.now(UTC) - age(older_than)
    done = expire(lake_at(lake), cutoff)
    if as_json:
        print_json_lines(t.model_dump(mode="json") for t in done)
        return
    table(
        f"lake expire: older than {cutoff:%Y-%m-%d %H:%M:%S} UTC",
        ["table", "expired snapshots", "orphan files", "orphan bytes"],
        (
            [t.table, count(t.expired_snapshots), count(t.orphan_files), count(t.orphan_bytes)]
            for t in done
        ),
    )


@app.command("delete")
def delete_command(
    source: Annotated[str, typer.Option("--source", help="The source whose bill to delete.")],
    period: Annotated[str, typer.Option("--period", help="Its billing period, YYYY-MM.")],
    account: Annotated[
        str | None, typer.Option("--account", help="Only this billing account.")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask at a terminal.")] = False,
    lake: LakeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Delete a source's bill of one billing period (a restatement can only replace keys a
    file still holds): one snapshot, in `lake history` with what was deleted."""
    try:
        month(period)
    except ValueError:
        fail(f"--period {period!r}: give a billing period as YYYY-MM")

    def ask(found: Deletion) -> bool:
        say(f"this deletes {found.rows:,} rows of {source} in {period}", *_of(found))
        return typer.confirm("delete them?", default=False)

    deletion = delete_bill(
        lake_at(lake), source, period, account, confirm=ask if interactive() and not yes else None
    )
    if as_json:
        print_json_lines([deletion.model_dump(mode="json")])
    elif not deletion.keys:
        warn(f"the lake holds no rows of {source} in {period}{_account(account)}; nothing deleted")
    elif deletion.snapshot_id is None:
        say("nothing deleted")
    else:
        say(f"deleted {deletion.rows:,} rows of {source} in {period}", *_of(deletion))


def _of(deletion: Deletion) -> list[str]:
    accounts = sorted({account for _, account, _ in deletion.keys})
    return [f" (billing accounts {', '.join(accounts)})"]


def _account(account: str | None) -> str:
    return f" for billing account {account}" if account else ""
