"""`costplane approvals …`: what waits for an approver's answer."""

from __future__ import annotations

from typing import Any

import typer

from costplane.approvals.model import ApprovalRequest
from costplane.bootstrap import plane as load_plane
from costplane.cli.output import JsonOption, json_lines, table
from costplane.cli.plane_option import Plane, PlaneOption
from costplane.config import Settings

app = typer.Typer(no_args_is_help=True)


@app.callback()
def approvals() -> None:
    """Approval requests sent to Slack or Teams."""


def request_row(request: ApprovalRequest) -> dict[str, Any]:
    """The stable JSON shape of a request on the command line."""
    ref = request.resource
    return {
        "id": request.id,
        "policy": request.policy,
        "provider": ref.provider.value,
        "account": ref.account,
        "resource_id": ref.resource_id,
        "resource_type": ref.resource_type,
        "then": request.then.kind.value,
        "channel": request.channel,
        "approvers": list(request.approvers),
        "created": request.created.isoformat(),
        "expires": request.expires.isoformat(),
        "on_expiry": request.on_expiry,
    }


@app.command("pending")
def pending(
    as_json: JsonOption = False,
    plane: PlaneOption = Plane.LOCAL,
) -> None:
    """Requests nobody has answered yet, soonest expiry first."""
    rows = [request_row(r) for r in load_plane(Settings(), plane.value).approval_store().pending()]
    if as_json:
        json_lines(rows)
        return
    table(
        "Pending approvals",
        ["id", "policy", "resource", "then", "channel", "approvers", "expires", "on expiry"],
        (
            (
                r["id"],
                r["policy"],
                r["resource_id"],
                r["then"],
                r["channel"],
                ", ".join(r["approvers"]),
                r["expires"],
                r["on_expiry"],
            )
            for r in rows
        ),
    )
