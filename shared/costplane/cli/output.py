"""Output people can read (rich tables) or pipe (JSON lines)."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, NoReturn

import orjson
from rich.console import Console
from rich.table import Table

# Piped or captured output has no terminal width; tables then get room instead of folding.
_WIDTH = None if sys.stdout.isatty() else 200
console = Console(width=_WIDTH)
errors = Console(stderr=True, width=_WIDTH)


def json_lines(rows: Iterable[Any]) -> None:
    out = sys.stdout.buffer
    for row in rows:
        out.write(orjson.dumps(row, option=orjson.OPT_APPEND_NEWLINE))
    out.flush()


def table(title: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    view = Table(title=title, title_justify="left", header_style="bold")
    for column in columns:
        view.add_column(column, overflow="fold")
    for row in rows:
        view.add_row(*(_cell(cell) for cell in row))
    console.print(view)


def _cell(value: Any) -> str:
    """Money prints as plain fixed-point (`13`, `0.61`), never as `0E-10`."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a clear error and exit; for failures of the command itself, not of its input."""
    errors.print(f"[bold red]error:[/] {message}")
    raise SystemExit(code)
