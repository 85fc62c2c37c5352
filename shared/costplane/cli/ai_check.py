"""`costplane ai check`: measure the budgets against the lake now and pull the levers of the
thresholds reached on their AI targets, as the cost ingest does after each landing (useful
after `costplane ingest`, or on a schedule)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from costplane import bootstrap
from costplane.budgets.loader import BudgetsFileError
from costplane.cli.budgets import AtOption, BudgetsOption
from costplane.cli.events import decision_row, render
from costplane.cli.lake import LakeOption
from costplane.cli.output import JsonOption, fail, json_lines, say
from costplane.cli.plane_option import Plane, PlaneOption
from costplane.config import Settings
from costplane.domain.taxonomy import Mode
from costplane.policy.loader import PolicyFileError
from costplane.tagging.loader import TaxonomyError

ModeOption = Annotated[
    Mode | None,
    typer.Option(
        help="The deployment's mode (default COSTPLANE_MODE, else dry-run): dry-run records "
        "what each lever would do and calls nothing."
    ),
]


def check_command(
    budgets: BudgetsOption = None,
    lake: LakeOption = None,
    at: AtOption = None,
    mode: ModeOption = None,
    plane: PlaneOption = Plane.LOCAL,
    as_json: JsonOption = False,
) -> None:
    """Act on every threshold the lake's spend has reached, on each budget's targets (an
    OpenAI project, an Anthropic API key, a Bedrock principal...), once per period: one
    audited decision per lever, with its undo state for `costplane resume`."""
    update: dict[str, object] = {"budgets": budgets}
    if lake is not None:
        update["lake"] = lake
    if mode is not None:
        update["mode"] = mode.value
    if at is not None:
        update["clock"] = at if at.tzinfo else at.replace(tzinfo=UTC)
    settings = Settings().model_copy(update=update)
    try:
        levers = bootstrap.budget_levers(settings, plane.value)
    except (BudgetsFileError, PolicyFileError, TaxonomyError) as exc:
        fail(str(exc))
    decisions = levers.check(settings.clock or datetime.now(UTC))
    if as_json:
        json_lines(decision_row(d) for d in decisions)
        return
    if not decisions:
        say("No threshold newly reached on a budget with targets: nothing to do.")
        return
    render([("", d) for d in decisions], as_json=False)
