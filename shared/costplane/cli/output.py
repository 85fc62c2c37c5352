"""Output people can read (rich tables) or pipe (JSON lines).

Every value reaches the terminal as literal text: Rich markup in a value (`[bold]`, `[/x]`) is
never interpreted, and control characters (an escape sequence in a tag value) are shown as
`\\x1b`, never sent to the terminal. Money is shown at its currency's minor unit with
thousands separators and its currency; full precision stays in `--json` and the lake.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, NoReturn

import orjson
import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from costplane.config import TerminalSettings
from costplane.domain.money import quantize

PIPED_WIDTH = 200
"""Width when stdout is not a terminal and COLUMNS is unset: tables get room, not folds."""


def _width() -> int | None:
    if sys.stdout.isatty():
        return None
    return TerminalSettings().width or PIPED_WIDTH


console = Console(width=_width(), highlight=False)
errors = Console(stderr=True, width=_width(), highlight=False)

JsonOption = Annotated[
    bool, typer.Option("--json", help="Print JSON for scripts, at full precision.")
]
VerboseOption = Annotated[
    bool, typer.Option("--verbose", "-v", help="Also show snapshot ids and other internals.")
]

GENERIC_PLACES = 4
"""Decimal places of a number column whose unit is unknown (`lake sql`)."""

_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f]")


def plain(value: object) -> Text:
    """`value` as literal text: markup is not parsed, control characters are made visible."""
    if isinstance(value, Text):
        return value
    text = "" if value is None else str(value)
    return Text(_CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text))


@dataclass(frozen=True, slots=True)
class Figure:
    """A number already formatted for people, right-aligned in its column; a column whose
    figures all share one unit names it in its header instead of on every line."""

    number: str
    unit: str = ""

    @property
    def text(self) -> str:
        return f"{self.number} {self.unit}" if self.unit else self.number


def money(amount: Decimal | None, currency: str) -> Figure:
    """`1,234.57 USD`: rounded half-even to the currency's minor unit."""
    if amount is None:
        return Figure("-", currency)
    return Figure(f"{quantize(amount, currency):,}", currency)


def exact_money(amount: Decimal | None, currency: str) -> Figure:
    """`0.752 USD`, `1,234.50 USD`: at least the cents, and every digit beyond them (prices
    per token and AI spend of a day live below the cent)."""
    if amount is None:
        return Figure("-", currency)
    places = max(2, -int(amount.normalize().as_tuple().exponent))
    return Figure(f"{amount:,.{places}f}", currency)


def percent(value: Decimal | float | None, places: int = 1) -> Figure:
    """A percentage already in percent (`78.5` → `78.5%`)."""
    return Figure("-" if value is None else f"{value:,.{places}f}%")


def ratio(value: Decimal | float | None, places: int = 1) -> Figure:
    """A ratio as a percentage (`0.785` → `78.5%`)."""
    return percent(None if value is None else value * 100, places)


def count(value: int) -> Figure:
    return Figure(f"{value:,}")


def sums_by_currency(
    rows: Iterable[tuple[str, Sequence[Decimal]]],
) -> dict[str, list[Decimal]]:
    """Column-wise sums of amounts per currency, currencies in order: a table's grand totals."""
    sums: dict[str, list[Decimal]] = {}
    for currency, amounts in rows:
        into = sums.setdefault(currency, [Decimal(0)] * len(amounts))
        for index, amount in enumerate(amounts):
            into[index] += amount
    return dict(sorted(sums.items()))


def json_lines(rows: Iterable[Any]) -> None:
    out = sys.stdout.buffer
    for row in rows:
        out.write(orjson.dumps(row, option=orjson.OPT_APPEND_NEWLINE))
    out.flush()


def table(
    title: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    totals: Sequence[Sequence[Any]] = (),
) -> None:
    """A table of literal values; `totals` rows follow a rule, in bold.

    Columns of figures (`money`, `count`, plain numbers) are right-aligned; a column of bare
    decimals shares one number of places (at most `GENERIC_PLACES`), with a note below when
    that rounded anything.
    """
    body = [list(row) for row in rows]
    foot = [list(row) for row in totals]
    everything = body + foot
    rounded = False
    for index in range(len(columns)):
        values = [row[index] for row in everything if index < len(row)]
        if values and all(isinstance(v, Decimal) or v is None for v in values):
            places, lost = _common_places([v for v in values if v is not None])
            rounded = rounded or lost
            for row in everything:
                if isinstance(row[index], Decimal):
                    row[index] = Figure(f"{row[index]:,.{places}f}")
    view = Table(header_style="bold")
    units = []
    for index, column in enumerate(columns):
        cells = [row[index] for row in everything if index < len(row)]
        numeric = any(_is_figure(cell) for cell in cells)
        shared = {cell.unit for cell in cells if isinstance(cell, Figure)}
        unit = shared.pop() if len(shared) == 1 and all(_is_figure(c) for c in cells) else ""
        units.append(unit)
        view.add_column(
            plain(f"{column}\n{unit}" if unit else column),
            overflow="fold",
            justify="right" if numeric else "left",
            no_wrap=numeric,
        )
    for row in body:
        view.add_row(*(_cell(cell, unit) for cell, unit in zip(row, units, strict=False)))
    if foot:
        view.add_section()
        for row in foot:
            view.add_row(
                *(_cell(cell, unit) for cell, unit in zip(row, units, strict=False)), style="bold"
            )
    if title:
        console.print(plain(title))  # its own line: a Table title wraps at the table's width
    console.print(view)
    if rounded:
        console.print(f"{GENERIC_PLACES} decimal places shown; --json has every digit")


def _is_figure(value: Any) -> bool:
    return isinstance(value, Figure | Decimal | float) or (
        isinstance(value, int) and not isinstance(value, bool)
    )


def _common_places(values: Sequence[Decimal]) -> tuple[int, bool]:
    """The places every value needs (capped), and whether the cap rounds one of them."""
    needed = [max(0, -int(v.normalize().as_tuple().exponent)) for v in values if v.is_finite()]
    most = max(needed, default=0)
    return min(most, GENERIC_PLACES), most > GENERIC_PLACES


def _cell(value: Any, unit: str = "") -> Text:
    if isinstance(value, Figure):
        return Text(value.number if unit else value.text)
    if isinstance(value, int) and not isinstance(value, bool):
        return Text(f"{value:,}")
    return plain(value)


def say(*parts: str | Text) -> None:
    """A line for people on stdout; str parts are literal, Text parts keep their style."""
    console.print(Text.assemble(*(plain(p) if isinstance(p, str) else p for p in parts)))


def warn(message: str) -> None:
    """A warning on stderr: the command goes on, but a person should look."""
    errors.print(Text.assemble(("warning: ", "bold yellow"), plain(message)))


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a clear error and exit: 2 for bad usage or input, 1 for findings."""
    errors.print(Text.assemble(("error: ", "bold red"), plain(message)))
    raise SystemExit(code)
