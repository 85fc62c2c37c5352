"""`costplane ai spend`: AI tokens and money per owner, model, project or token type, with the
cache hit rate, from the lake's AI rows."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any

import typer

from costplane import bootstrap
from costplane.adapters.lake.ai_spend import (
    EARLIEST,
    LATEST,
    AiSpendLine,
    Dimension,
    ai_spend,
    totals,
)
from costplane.cli.lake import LakeOption, lake_at, print_json_lines
from costplane.cli.output import Figure, JsonOption, fail, money, ratio, table, warn
from costplane.config import Settings
from costplane.tagging.loader import TaxonomyError

ByOption = Annotated[
    Dimension,
    typer.Option("--by", help="One line per owner (team), model, project or token type."),
]
MonthOption = Annotated[
    str | None,
    typer.Option(
        "--month", help="Only this month (YYYY-MM; default: every month).", show_default=False
    ),
]


def spend_command(
    by: ByOption = "team",
    month: MonthOption = None,
    lake: LakeOption = None,
    as_json: JsonOption = False,
) -> None:
    """Tokens (every token type, counted once), uncached input, cache reads, the cache hit rate
    (cache reads / (uncached input + cache reads)) and money per line. Teams come from the
    rows' owner tags, else the taxonomy's owners: mappings (an OpenAI project, an Anthropic
    workspace or API key, a cloud account or principal)."""
    settings = Settings(lake=lake) if lake else Settings()
    try:
        owners = bootstrap.row_owners(settings)
    except TaxonomyError as exc:
        fail(str(exc))
    start, end = _month(month)
    lines = ai_spend(lake_at(lake), by, owners, start, end)
    if as_json:
        print_json_lines(_json(line, by) for line in lines)
        return
    if not lines:
        warn("the lake has no AI rows" + (f" in {month}" if month else ""))
        return
    render_spend(lines, by)
    unpriced = sum(line.unpriced_rows for line in lines)
    if unpriced:
        warn(f"{unpriced:,} usage rows have no price in the price book: their cost is 0")


def _month(month: str | None) -> tuple[datetime, datetime]:
    if month is None:
        return EARLIEST, LATEST
    try:
        start = datetime.strptime(month, "%Y-%m").replace(tzinfo=UTC)
    except ValueError:
        raise typer.BadParameter(f"{month!r} is not YYYY-MM", param_hint="--month") from None
    following = start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
    return start, following


def render_spend(lines: list[AiSpendLine], by: Dimension) -> None:
    """One line per `by`, and their total when there are several."""
    columns = [by, "tokens", "uncached input", "cache reads", "cache hit rate", "cost"]
    total = totals(lines)
    table(
        f"AI spend by {by}",
        columns,
        (_cells(line) for line in lines),
        totals=[_cells(total)] if len(lines) > 1 else [],
    )


def _cells(line: AiSpendLine) -> list[object]:
    return [
        line.key,
        _tokens(line.tokens),
        _tokens(line.uncached_input),
        _tokens(line.cache_read),
        ratio(line.cache_hit_rate),
        _cost(line.cost),
    ]


def _cost(cost: dict[str, Decimal]) -> object:
    """One currency as a figure (its column then right-aligned, the unit in its header)."""
    if len(cost) == 1:
        [(currency, amount)] = cost.items()
        return money(amount, currency)
    return ", ".join(money(amount, currency).text for currency, amount in sorted(cost.items()))


def _tokens(amount: Decimal) -> Figure:
    return Figure(f"{amount:,.0f}")


def _json(line: AiSpendLine, by: Dimension) -> dict[str, Any]:
    return {
        "by": by,
        "key": line.key,
        "tokens": line.tokens,
        "uncached_input_tokens": line.uncached_input,
        "cache_read_tokens": line.cache_read,
        "cache_hit_rate": line.cache_hit_rate,
        "cost": line.cost,
        "unpriced_rows": line.unpriced_rows,
    }
