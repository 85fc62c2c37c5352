"""`costplane events …`: run provider events through the tag enforcer on the local plane."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from costplane import bootstrap
from costplane.cli.output import JsonOption, fail, json_lines, table
from costplane.config import Settings
from costplane.domain.decisions import Decision
from costplane.domain.errors import EventRejected, Rejection
from costplane.domain.taxonomy import Mode
from costplane.engine.pipeline import EventService
from costplane.policy.loader import PolicyFileError
from costplane.tagging.loader import TaxonomyError

app = typer.Typer(help="Decide on provider events (CloudTrail, Event Grid, Audit Logs).")

TaxonomyOption = Annotated[
    Path | None,
    typer.Option("--taxonomy", "-t", help="Taxonomy YAML/JSON (default: the bundled example)."),
]
InventoryOption = Annotated[
    Path | None,
    typer.Option(help="JSON {resource_id: {tag: value}} for events that carry no tags."),
]


def decision_row(decision: Decision, file: str | None = None) -> dict[str, Any]:
    """The stable JSON shape of a decision on the command line."""
    return {
        "file": file,
        "provider": decision.provider,
        "event_id": decision.event_id,
        "event_name": decision.event_name,
        "resource_id": decision.resource_id,
        "resource_type": decision.resource_type,
        "account": decision.account,
        "owner": decision.owner.label if decision.resource_id else None,
        "attribution": decision.owner.model_dump(),
        "outcome": decision.outcome.value,
        "missing_tags": decision.missing_tags,
        "invalid_tags": decision.invalid_tags,
        "actions": [
            {"kind": a.kind.value, "status": a.status.value, "params": a.params, "error": a.error}
            for a in decision.actions
        ],
        "reason": decision.reason,
        "dry_run": decision.dry_run,
    }


def build_service(
    taxonomy: Path | None, policies: Path | None, inventory: Path | None, mode: Mode | None
) -> EventService:
    """The tag enforcer, or the policy runner when a policy file is given, on the local plane.

    Idempotency state lives in memory, so re-running the command decides again.
    """
    settings = Settings(taxonomy=taxonomy, policies=policies, inventory=inventory, state=":memory:")
    if mode is not None:
        settings = settings.model_copy(update={"mode": mode.value})
    try:
        if policies is not None:
            return bootstrap.policy_runner(settings)
        return bootstrap.tag_enforcer(settings)
    except (TaxonomyError, PolicyFileError) as exc:
        fail(str(exc))


def decide_file(service: EventService, path: Path) -> list[Decision]:
    """Every decision one file yields; an unreadable or unsupported file yields an error."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return [
            service.rejected(EventRejected(Rejection.UNREADABLE_FILE, f"{path}: {exc.strerror}"))
        ]
    return service.handle_payload(raw)


def render(pairs: list[tuple[str, Decision]], as_json: bool) -> None:
    if as_json:
        json_lines(decision_row(d, file) for file, d in pairs)
        return
    table(
        "Decisions",
        [
            "provider",
            "resource",
            "type",
            "policy",
            "owner",
            "outcome",
            "problems",
            "actions",
            "reason",
        ],
        (
            (
                d.provider or "-",
                d.resource_id or Path(file).name,
                d.resource_type,
                d.policy,
                d.owner.label if d.resource_id else "",
                d.outcome.value,
                ", ".join([*d.missing_tags, *d.invalid_tags]),
                ", ".join(f"{a.kind.value}:{a.status.value}" for a in d.actions),
                d.reason,
            )
            for file, d in pairs
        ),
    )


@app.command("decide")
def decide(
    files: Annotated[list[Path], typer.Argument(help="Event payload files (JSON).")],
    taxonomy: TaxonomyOption = None,
    policies: Annotated[
        Path | None,
        typer.Option(help="Run this policy file's policies instead of the tag taxonomy."),
    ] = None,
    inventory: InventoryOption = None,
    mode: Annotated[
        Mode | None,
        typer.Option(
            help="The deployment's mode (default COSTPLANE_MODE, else dry-run): dry-run makes "
            "every action dry; enforce lets each file's own mode stand."
        ),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Check tags, attribute an owner and plan actions: one decision per resource (per policy
    with --policies).

    Exit status is 0 even when resources are in violation (deciding is not a check); a file
    that is not a supported event yields an `error` decision with its reason; an unusable
    taxonomy, policy or inventory file exits 2.
    """
    service = build_service(taxonomy, policies, inventory, mode)
    pairs = [(str(path), d) for path in files for d in decide_file(service, path)]
    render(pairs, as_json)
