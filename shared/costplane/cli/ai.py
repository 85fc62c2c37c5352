"""`costplane ai …`: AI spend, prices, reconciliation, budgets and the admission check; each
command lives in its own `ai_<what>` module and is registered here."""

from __future__ import annotations

import typer

from costplane.cli.ai_admission import app as admission_app
from costplane.cli.ai_check import check_command
from costplane.cli.ai_prices import prices_command
from costplane.cli.ai_pull import pull_command
from costplane.cli.ai_reconcile import reconcile_command
from costplane.cli.ai_spend import spend_command

app = typer.Typer(
    help="AI economics: token-level spend, prices, reconciliation, budgets and admission.",
    no_args_is_help=True,
)
app.command("spend")(spend_command)
app.command("prices")(prices_command)
app.command("reconcile")(reconcile_command)
app.command("check")(check_command)
app.command("pull")(pull_command)
app.add_typer(admission_app, name="admission")
