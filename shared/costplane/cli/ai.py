"""`costplane ai`: AI spend — each command in its own `ai_<what>.py`, registered here."""

from __future__ import annotations

import typer

from costplane.cli.ai_prices import prices_command
from costplane.cli.ai_reconcile import reconcile_command

app = typer.Typer(help="AI spend: model prices, usage reconciled with the vendors' bills.")
app.command("prices")(prices_command)
app.command("reconcile")(reconcile_command)
