"""`costplane resume DECISION_ID|RESOURCE`: undo a throttle, suspend or decommission."""

from __future__ import annotations

import getpass
from typing import Annotated, Any

import typer

from costplane import bootstrap
from costplane.cli.output import JsonOption, fail, json_lines, table
from costplane.cli.plane_option import Plane, PlaneOption
from costplane.config import Settings
from costplane.domain.decisions import ActionStatus, Decision
from costplane.engine.resuming import NothingToResume


def resume_row(record: Decision) -> dict[str, Any]:
    """The stable JSON shape of a resume on the command line."""
    return {
        "decision_id": record.decision_id,
        "resource_id": record.resource_id,
        "resource_type": record.resource_type,
        "asked_by": record.actor,
        "undone": [
            {"kind": a.params["of"], "status": a.status.value, "error": a.error}
            for a in record.actions
        ],
        "reason": record.reason,
        "decided_at": record.decided_at.isoformat(),
    }


def resume_command(
    target: Annotated[str, typer.Argument(help="A decision id, or a resource id.")],
    plane: PlaneOption = Plane.LOCAL,
    by: Annotated[
        str | None, typer.Option(help="Who asks, for the audit log; default: the OS user.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Undo what a decision did (throttle, suspend, decommission): by its id, or the newest
    undoable decision on a resource. The resume is audited with who asked."""
    service = bootstrap.resume_service(Settings(), plane.value)
    try:
        record = service.resume(target, by or getpass.getuser())
    except NothingToResume as exc:
        fail(f"nothing to resume: {exc}")
    row = resume_row(record)
    if as_json:
        json_lines([row])
    else:
        table(
            f"Resumed {row['resource_id']}",
            ["record", "undone", "status", "error", "asked by"],
            (
                (row["decision_id"], u["kind"], u["status"], u["error"], row["asked_by"])
                for u in row["undone"]
            ),
        )
    if any(a.status is ActionStatus.FAILED for a in record.actions):
        raise typer.Exit(1)
