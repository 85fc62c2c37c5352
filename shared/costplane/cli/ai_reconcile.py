"""`costplane ai reconcile`: AI usage at book prices against the vendors' cost reports."""

from __future__ import annotations

from decimal import Decimal

from costplane.billing.ai.reconcile import Reconciliation, Report, Status, Unpriced, reconcile
from costplane.cli.lake import LakeOption, lake_at, print_json_lines
from costplane.cli.output import Figure, JsonOption, count, exact_money, ratio, say, table
from costplane.domain.ai import bundled_price_book


def reconcile_command(lake: LakeOption = None, as_json: JsonOption = False) -> None:
    """Per vendor, day, model and project, price the usage rows' tokens with the price book
    and compare with what the cost report (or cloud bill) billed: within ±0.5% agrees. The
    same per project over all models follows. Every group is shown, and usage the book
    cannot price is listed apart. Exits 1 when a group differs."""
    report = reconcile(lake_at(lake), bundled_price_book())
    if as_json:
        print_json_lines(
            [
                *({"kind": "model", **g.as_json()} for g in report.groups),
                *({"kind": "project", **g.as_json()} for g in report.projects),
                *({"kind": "unpriced", **_unpriced_json(u)} for u in report.unpriced),
            ]
        )
    else:
        _show(report)
    if any(g.status is Status.DIFFERS for g in (*report.groups, *report.projects)):
        raise SystemExit(1)


def _unpriced_json(item: Unpriced) -> dict[str, object]:
    return {
        **item.key.model_dump(mode="json"),
        "token_type": item.token_type,
        "service_tier": item.service_tier,
        "context_window": item.context_window,
        "quantity": format(item.quantity.normalize(), "f"),
    }


def _show(report: Report) -> None:
    if not report.groups:
        say("No AI rows in the lake.")
        return
    table(
        f"AI usage against the bill (price book {report.price_book_version}, ±0.5%)",
        ["vendor", "day", "model", "project", "usage at book", "billed", "difference", "status"],
        (_group_row(g) for g in report.groups),
    )
    table(
        "Per project, all models together",
        ["vendor", "day", "project", "usage at book", "billed", "difference", "status"],
        (_group_row(g, with_model=False) for g in report.projects),
    )
    if report.unpriced:
        table(
            "Usage the price book cannot price",
            ["vendor", "day", "model", "project", "token type", "tier", "window", "quantity"],
            (
                (
                    u.key.vendor,
                    u.key.day.isoformat(),
                    u.key.model or "-",
                    u.key.project or "-",
                    u.token_type or "-",
                    u.service_tier or "-",
                    u.context_window or "-",
                    count(int(u.quantity)),
                )
                for u in report.unpriced
            ),
        )


def _group_row(group: Reconciliation, *, with_model: bool = True) -> tuple[object, ...]:
    currency = group.key.currency
    model = (group.key.model or "-",) if with_model else ()
    return (
        group.key.vendor,
        group.key.day.isoformat(),
        *model,
        group.key.project or "-",
        exact_money(group.usage_cost, currency),
        exact_money(group.billed_cost, currency),
        _difference(group.difference, group.relative, currency),
        _status(group),
    )


def _difference(difference: Decimal | None, relative: Decimal | None, currency: str) -> Figure:
    if difference is None:
        return Figure("-")
    shown = exact_money(difference, currency).text
    return Figure(f"{shown} ({ratio(relative, 2).text})" if relative is not None else shown)


def _status(group: Reconciliation) -> str:
    if group.unpriced_quantity:
        return f"{group.status.value}; {group.unpriced_quantity.normalize():,f} unpriced"
    return group.status.value
