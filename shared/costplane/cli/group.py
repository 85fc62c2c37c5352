"""The `costplane` command group: one exit-status policy and one help style for every command.

Exit status: 0 success; 1 findings (a check that found violations, invalid files, stale
schemas); 2 bad usage or bad input (an unknown option, a missing or malformed file, a query
DuckDB refuses). An error of costplane itself exits 70 with one line, never a traceback.
"""

from __future__ import annotations

from typing import Any

import duckdb
import typer
import yaml
from typer._click.core import Command, Context, Parameter
from typer.core import TyperGroup

from costplane.cli.output import fail

EXIT_STATUS = """Exit status: 0 success · 1 findings (violations, invalid files) · 2 bad usage
or bad input · 70 an error of costplane itself (please report it)."""
INTERNAL_ERROR = 70

BAD_INPUT: tuple[type[Exception], ...] = (ValueError, duckdb.Error, yaml.YAMLError)
"""Every domain error (taxonomy, policy, budgets, allocation, forecast, bill files) is a
ValueError; pydantic's ValidationError is one too."""


class CostplaneGroup(TyperGroup):
    """Maps what commands raise onto the exit-status policy; shows help without Python types."""

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.TyperException, typer.Exit, typer.Abort):
            raise
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            fail(f"{where}{exc.strerror or exc}")
        except BAD_INPUT as exc:
            fail(str(exc) or type(exc).__name__)
        except Exception as exc:
            fail(f"internal error ({type(exc).__name__}: {exc}); please report it", INTERNAL_ERROR)

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        command = super().get_command(ctx, cmd_name)
        if command is not None:
            plain_help(command, ctx)
        return command

    def get_params(self, ctx: Context) -> list[Parameter]:
        params = super().get_params(ctx)
        for param in params:
            _plain_type(param)
        return params


def plain_help(command: Command, ctx: Context) -> None:
    """Show each parameter's kind of value as a word (PATH…, TEXT, [a|b]), never a Python
    type (`<list[Path]>`), and nothing after a flag (`--json`, not `--json <bool>`)."""
    for param in [*command.params, command.get_help_option(ctx)]:
        if param is not None:
            _plain_type(param)
    for sub in getattr(command, "commands", {}).values():
        plain_help(sub, ctx)


def _plain_type(param: Parameter) -> None:
    shown = getattr(type(param), "display_type", None)
    if shown is None or getattr(param, "is_flag", False) or getattr(param, "count", False):
        param.display_type_rich = lambda ctx: None  # type: ignore[attr-defined]
        return
    param.display_type_rich = lambda ctx: _word(param, shown(param, ctx))  # type: ignore[attr-defined]


WORDS = {"str": "TEXT", "path": "PATH", "int": "INTEGER", "float": "NUMBER"}


def _word(param: Parameter, typer_type: str) -> str:
    """`<list[Path]>` → `PATH…`, `<str>` → `TEXT`, `<a|b>` → `[a|b]`."""
    label = typer_type.strip("<>")
    many = label.startswith("list[")
    label = label.removeprefix("list[").removesuffix("]")
    if getattr(getattr(param, "type_descriptor", None), "is_datetime", False):
        word = "YYYY-MM-DD[THH:MM]"
    elif "|" in label:
        word = f"[{label}]"
    else:
        word = WORDS.get(label.lower(), label.upper())
    return f"{word}…" if many or param.nargs != 1 else word
