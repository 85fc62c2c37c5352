"""`costplane events coverage`: which resource types the Tagging OS sees and can act on, and
with a lake, how much of each provider's bill falls on them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from costplane.adapters.coverage import CoverageRow
from costplane.adapters.lake.spend_by_type import spend_by_type
from costplane.cli.lake import lake_at
from costplane.cli.output import JsonOption, json_lines, money, ratio, table
from costplane.planes.coverage import ProviderShare, coverage_rows, governed_shares
from costplane.planes.envelopes import register_every_cloud

SHOWN_UNGOVERNED = 3


def coverage_command(
    lake: Annotated[
        Path | None,
        typer.Option("--lake", help="Also print the share of each provider's bill governed."),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """List per provider and resource type the events that create, tag and delete it, the
    feed that carries them and the actions available; with --lake, per provider and
    currency, the governed share of resource spend (EffectiveCost), the ungoverned services,
    and apart, the charges no tag can reach (not resource spend)."""
    register_every_cloud()
    rows = coverage_rows()
    shares = governed_shares(rows, spend_by_type(lake_at(lake))) if lake else []
    if as_json:
        json_lines([*map(_row_json, rows), *map(_share_json, shares)])
        return
    table(
        "Coverage",
        ["provider", "type", "create", "tag", "delete", "feeds", "actions"],
        ((r.provider, r.resource_type, *(", ".join(v) for v in _columns(r))) for r in rows),
    )
    if shares:
        table(
            "Governed share of resource spend (EffectiveCost)",
            [
                "provider",
                "governed share",
                "governed",
                "resource spend",
                "largest ungoverned",
                "not resource spend",
            ],
            (
                (
                    s.provider,
                    ratio(s.governed_share, 2),
                    money(s.governed, s.currency),
                    money(s.total, s.currency),
                    "; ".join(
                        f"{u.service} {u.resource_type} {money(u.cost, s.currency).text}"
                        for u in s.ungoverned[:SHOWN_UNGOVERNED]
                    ),
                    _not_resource(s),
                )
                for s in shares
            ),
        )


def _not_resource(share: ProviderShare) -> str:
    """The total, then the largest charges no tag can reach, with their service."""
    largest = share.not_resource[:SHOWN_UNGOVERNED]
    return "; ".join(
        [
            money(share.not_resource_total, share.currency).text,
            *(f"{n.charge} ({n.service}) {money(n.cost, share.currency).text}" for n in largest),
        ]
    )


def _columns(row: CoverageRow) -> tuple[list[str], ...]:
    return row.create, row.tag, row.delete, row.feeds, row.actions


def _row_json(row: CoverageRow) -> dict[str, Any]:
    return {
        "record": "resource_type",
        "provider": row.provider,
        "resource_type": row.resource_type,
        "create": row.create,
        "tag": row.tag,
        "delete": row.delete,
        "feeds": row.feeds,
        "actions": row.actions,
    }


def _share_json(share: ProviderShare) -> dict[str, Any]:
    return {
        "record": "governed_share",
        "provider": share.provider,
        "currency": share.currency,
        "governed_share": share.governed_share,
        "governed": str(share.governed),
        "total": str(share.total),
        "ungoverned": [
            {"service": u.service, "resource_type": u.resource_type, "cost": str(u.cost)}
            for u in share.ungoverned
        ],
        "not_resource_spend": str(share.not_resource_total),
        "not_resource": [
            {"charge": n.charge, "service": n.service, "cost": str(n.cost)}
            for n in share.not_resource
        ],
    }
