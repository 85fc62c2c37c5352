"""`costplane demo`: the whole control plane on the embedded default, over bundled real samples.

Events are decided with in-memory idempotency state so the demo can be run again; bills go
into the local lake (`.costplane/` or `--lake`), which stays for `costplane lake sql` after.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from costplane import bootstrap
from costplane.cli.events import decide_file, render
from costplane.cli.ingest import render as render_ingest
from costplane.cli.lake import LakeOption, lake_at
from costplane.cli.output import console, fail, table
from costplane.config import Settings
from costplane.focus.registry import get_normaliser
from costplane.lake.query import sql
from costplane.lake.writer import ingest

# Real bills bundled with the repository (tests/data/focus/SOURCES.md), one delivery each.
BILLS = (
    ("aws-cur", "aws/cur_legacy_anonymized_2023-11_days01-07.csv"),
    ("azure-ea", "azure/ea_amortized_cost_small.csv"),
    ("oci", "oci/oci_cost_report_2023-11-13_hours05-07.csv"),
    ("focus", "focus/focus_1.0_sample_1000rows_aws_azure_oci.csv"),
)
TOTALS = """
SELECT ProviderName AS provider, strftime(BillingPeriodStart, '%Y-%m') AS period,
       BillingCurrency AS currency, x_SourceName AS source, count(*) AS rows,
       sum(BilledCost) AS billed, sum(EffectiveCost) AS effective
FROM focus GROUP BY ALL ORDER BY provider, period, source
"""


def _event_files(events: Path) -> list[Path]:
    return sorted(p for p in events.glob("*/*.json") if p.parent.name in bootstrap.CLOUDS)


def demo_events(events: Path) -> None:
    """Replay every bundled provider event, then one of them again to show it acts once."""
    files = _event_files(events)
    if not files:
        fail(f"no event payloads under {events}/{{aws,azure,gcp}}; run from the repository root")
    inventory = events / "inventory.json"
    settings = Settings(
        inventory=inventory if inventory.exists() else None, mode="dry-run", state=":memory:"
    )
    enforcer = bootstrap.tag_enforcer(settings)
    console.rule("[bold]1. Event path: tag check, attribution and enforcement (dry-run)")
    pairs = [(str(p), d) for p in files for d in decide_file(enforcer, p)]
    render(pairs, as_json=False)
    replay = next(p for p, d in pairs if d.resource_id)
    [again] = decide_file(enforcer, Path(replay))
    console.print(f"Replayed [bold]{Path(replay).name}[/]: {again.outcome.value} — {again.reason}")
    audit = enforcer.state.recent_decisions(10_000)
    console.print(f"Audit log: {len(audit)} decisions, rejections included.\n")


def demo_lake(bills: Path, lake_dir: Path | None) -> None:
    """Ingest the bundled real bills into the local Iceberg lake and total them."""
    console.rule("[bold]2. FOCUS lake: real bills normalised into Iceberg")
    lake = lake_at(lake_dir, create=True)
    for source, name in BILLS:
        render_ingest(ingest(lake, get_normaliser(source), [bills / name]))
    result = sql(lake, TOTALS)
    table(
        "Lake totals per provider and billing period",
        result.column_names,
        (row.values() for row in result.to_pylist()),
    )


def demo_command(
    events: Annotated[Path, typer.Option(help="Directory of bundled event payloads.")] = Path(
        "events"
    ),
    bills: Annotated[Path, typer.Option(help="Directory of bundled bills.")] = Path(
        "tests/data/focus"
    ),
    lake: LakeOption = None,
) -> None:
    """Run the control plane locally over the bundled real samples and print what it did."""
    demo_events(events)
    demo_lake(bills, lake)
