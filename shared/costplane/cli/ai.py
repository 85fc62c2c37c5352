"""`costplane ai …`: AI vendors' usage and costs (issue 10); each command in its own module."""

from __future__ import annotations

import typer

from costplane.cli.ai_pull import pull_command

app = typer.Typer(no_args_is_help=True)


@app.callback()
def ai() -> None:
    """AI vendors' usage and costs: OpenAI, Anthropic."""


app.command("pull")(pull_command)
