"""`costplane ai …`: AI spend, prices, reconciliation and budgets; each command lives in its
own `ai_<what>` module and is registered here."""

from __future__ import annotations

import typer

from costplane.cli.ai_check import check_command
from costplane.cli.ai_prices import prices_command
from costplane.cli.ai_reconcile import reconcile_command
from costplane.cli.ai_spend import spend_command

app = typer.Typer(
    help="AI economics: token-level spend, prices, reconciliation and budgets.",
    no_args_is_help=True,
)
app.command("spend")(spend_command)
app.command("prices")(prices_command)
app.command("reconcile")(reconcile_command)
app.command("check")(check_command)
