"""`costplane demo`: the whole control plane on the embedded default, over bundled real samples."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer

from costplane import bootstrap
from costplane.cli.events import decide_file, render
from costplane.cli.output import console, fail
from costplane.config import Settings


def _event_files(events: Path) -> list[Path]:
    return sorted(p for p in events.glob("*/*.json") if p.parent.name in bootstrap.CLOUDS)


def demo_events(events: Path, state_dir: Path) -> None:
    """Replay every bundled provider event, then one of them again to show it acts once."""
    files = _event_files(events)
    if not files:
        fail(f"no event payloads under {events}/{{aws,azure,gcp}}; run from the repository root")
    inventory = events / "inventory.json"
    settings = Settings(
        lake=state_dir, inventory=inventory if inventory.exists() else None, mode="dry-run"
    )
    enforcer = bootstrap.tag_enforcer(settings)
    console.rule("[bold]1. Event path: tag check, attribution and enforcement")
    pairs = [(str(p), d) for p in files for d in decide_file(enforcer, p)]
    render(pairs, as_json=False)
    replay = next(p for p, d in pairs if d.resource_id)
    again = decide_file(enforcer, Path(replay))
    console.print(
        f"Replayed [bold]{Path(replay).name}[/]: {again[0].outcome.value} — {again[0].reason}"
    )
    audit = enforcer.state.recent_decisions(10_000)
    console.print(f"Audit log: {len(audit)} decisions in {settings.state_path}")


def demo_command(
    events: Annotated[Path, typer.Option(help="Directory of bundled event payloads.")] = Path(
        "events"
    ),
) -> None:
    """Run the control plane locally over the bundled real samples and print what it decided."""
    with tempfile.TemporaryDirectory(prefix="costplane-demo-") as state:
        demo_events(events, Path(state))
