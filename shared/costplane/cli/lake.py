"""`costplane lake …`: SQL over the FOCUS table, exports, and its commit history."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import duckdb
import orjson
import typer

from costplane.billing.lake.query import EmptyQuery, ExportFormat, export, history, sql
from costplane.billing.lake.table import Lake
from costplane.bootstrap import plane
from costplane.cli.output import JsonOption, VerboseOption, count, fail, table
from costplane.config import Settings

app = typer.Typer(
    help="Query the FOCUS lake: DuckDB SQL, Parquet/CSV exports and the commit history.",
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
