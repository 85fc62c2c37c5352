"""`costplane ai …`: AI spend, prices and admission; each command in its own `ai_<what>` module."""

from __future__ import annotations

import typer

from costplane.cli.ai_admission import app as admission_app

app = typer.Typer(
    help="AI spend: token prices, budgets and the admission check.", no_args_is_help=True
)
app.add_typer(admission_app, name="admission")
