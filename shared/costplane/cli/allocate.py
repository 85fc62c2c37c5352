"""`costplane allocate`: split one billing period of the lake onto cost objects, to the cent."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from costplane.billing.allocation.errors import AllocationError
from costplane.billing.allocation.lake import allocate_period, write_chargeback
from costplane.billing.allocation.loader import load_rules
from costplane.billing.allocation.result import UNALLOCATED, Allocation
from costplane.cli.lake import LakeOption, dump_json, lake_at
from costplane.cli.output import (
    JsonOption,
    VerboseOption,
    fail,
    money,
    say,
    sums_by_currency,
    table,
    warn,
)
from costplane.domain.money import from_minor


def parse_period(text: str) -> date:
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        raise typer.BadParameter(f"{text!r} is not a billing month YYYY-MM")
    return date(int(text[:4]), int(text[5:]), 1)


def allocation_document(
    allocation: Allocation, source_snapshot: int, chargeback_snapshot: int | None
) -> dict[str, Any]:
    """The stable JSON shape of an allocation on the command line."""
    totals = allocation.totals()
    return {
        "rule_set": allocation.rule_set,
        "cost_column": allocation.cost_column,
        "source_snapshot_id": source_snapshot,
        "chargeback_snapshot_id": chargeback_snapshot,
        "rows": allocation.rows,
        "totals": [
            {"period": f"{p:%Y-%m}", "currency": c, "cost_object": o, "amount": amount}
            for (p, c, o), amount in sorted(totals.items())
        ],
        "lines": [
            {
                "period": f"{line.period:%Y-%m}",
                "currency": line.currency,
                "cost_object": line.cost_object,
                "amount": line.amount,
                "rule": line.rule,
                "step": line.step,
                "method": line.method,
                "ratio": line.share.ratio if line.share else None,
            }
            for line in allocation.lines
        ],
        "unallocated": [
            {"period": f"{p:%Y-%m}", "currency": c, "amount": amount}
            for (p, c), amount in sorted(allocation.unallocated().items())
        ],
        "sources": [
            {
                "period": f"{s.period:%Y-%m}",
                "currency": s.currency,
                "exact": s.exact,
                "rounded": s.rounded,
                "allocated": allocation.allocated().get((s.period, s.currency), Decimal(0)),
            }
            for s in allocation.sources
        ],
        "reconciles": allocation.reconciles(),
        "warnings": [
            {"code": w.code, "rule": w.rule, "message": w.message} for w in allocation.warnings
        ],
    }


def render(allocation: Allocation, period: date) -> None:
    rules_by_object: dict[tuple[str, str], list[str]] = {}
    for line in allocation.lines:
        rules_by_object.setdefault((line.currency, line.cost_object), []).append(line.rule)
    rows = sorted(
        allocation.totals().items(), key=lambda kv: (kv[0][1], kv[0][2] == UNALLOCATED, -kv[1])
    )
    table(
        f"Chargeback {allocation.rule_set} · {period:%Y-%m} · {allocation.cost_column}",
        ["cost object", "amount", "rules"],
        (
            (
                Text(o, style="bold red") if o == UNALLOCATED else o,
                money(amount, c),
                ", ".join(dict.fromkeys(rules_by_object[(c, o)])),
            )
            for (_, c, o), amount in rows
        ),
        totals=[
            ("total", money(amount, currency), "")
            for currency, (amount,) in sums_by_currency(
                (c, (amount,)) for (_, c, _), amount in rows
            ).items()
        ],
    )
    allocated = allocation.allocated()
    unallocated = allocation.unallocated()
    for source in allocation.sources:
        zero = from_minor(0, source.currency)
        got = allocated.get((source.period, source.currency), zero)
        mark = Text("equal", "green") if got == source.rounded else Text("DIFFERENT", "bold red")
        left = unallocated.get((source.period, source.currency), zero)
        say(
            f"bill {money(source.rounded, source.currency).text} · allocated "
            f"{money(got, source.currency).text} (",
            mark,
            f") · unallocated {money(left, source.currency).text} · {allocation.rows:,} bill lines",
        )


def allocate_command(
    rules: Annotated[Path, typer.Option("--rules", help="Allocation rules (YAML or JSON).")],
    period: Annotated[str, typer.Option("--period", help="Billing month, YYYY-MM.")],
    lake: LakeOption = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print only; leave the chargeback table alone.")
    ] = False,
    as_json: JsonOption = False,
    verbose: VerboseOption = False,
) -> None:
    """Allocate a billing period of the FOCUS lake onto cost objects and print the chargeback.

    The result replaces this rule set's rows for the period in the lake's `chargeback` table
    (unless --dry-run). Warnings (rules that overlap, weights that are all zero, ...) go to
    stderr; cost that no rule could place is shown as (unallocated), never dropped.
    """
    month = parse_period(period)
    opened = lake_at(lake)
    try:
        rule_set = load_rules(rules)
        allocation, snapshot = allocate_period(opened, rule_set, month)
    except AllocationError as exc:
        fail(f"{exc.code}: {exc.message}")
    written = None if dry_run else write_chargeback(opened, allocation, rule_set, snapshot)
    for warning in allocation.warnings:
        warn(f"{warning.code}: {warning.message}")
    if as_json:
        typer.echo(dump_json(allocation_document(allocation, snapshot, written)).decode())
        return
    render(allocation, month)
    if verbose:
        say(f"read lake snapshot {snapshot}; wrote chargeback snapshot {written or '-'}")
