"""The `costplane` command."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

import typer

from costplane.cli.ai import app as ai_app
from costplane.cli.allocate import allocate_command
from costplane.cli.approvals import app as approvals_app
from costplane.cli.budgets import app as budgets_app
from costplane.cli.demo import demo_command
from costplane.cli.events import app as events_app
from costplane.cli.forecast import app as forecast_app
from costplane.cli.group import EXIT_STATUS, CostplaneGroup
from costplane.cli.ingest import ingest_command
from costplane.cli.lake import app as lake_app
from costplane.cli.marks import app as marks_app
from costplane.cli.policy import app as policy_app
from costplane.cli.resume import resume_command
from costplane.cli.schemas import schemas_command
from costplane.cli.validate import validate_command

app = typer.Typer(
    name="costplane",
    help="costplane: govern cloud spend while it happens — tags, budgets, and a FOCUS lake.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=CostplaneGroup,
    epilog=EXIT_STATUS,
)


def _print_version(wanted: bool) -> None:
    if wanted:
        try:
            typer.echo(f"costplane {version('costplane')}")
        except PackageNotFoundError:
            typer.echo("costplane (not installed: running from a source tree)")
        raise typer.Exit()


@app.callback()
def costplane(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """costplane: govern cloud spend while it happens — tags, budgets, and a FOCUS lake."""


app.add_typer(events_app, name="events")
app.add_typer(policy_app, name="policy")
app.add_typer(lake_app, name="lake")
app.add_typer(budgets_app, name="budgets")
app.add_typer(approvals_app, name="approvals")
app.add_typer(forecast_app, name="forecast")
app.add_typer(ai_app, name="ai")
app.add_typer(marks_app, name="marks")
app.command("allocate")(allocate_command)
app.command("ingest")(ingest_command)
app.command("demo")(demo_command)
app.command("resume")(resume_command)
app.command("schemas")(schemas_command)
app.command("validate")(validate_command)
