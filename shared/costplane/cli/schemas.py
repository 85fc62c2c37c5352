"""`costplane schemas`: check or regenerate the JSON Schemas under `schemas/`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from costplane import schemas
from costplane.cli.output import fail, say


def schemas_command(
    directory: Annotated[Path, typer.Option("--dir", help="Where the schemas live.")] = Path(
        "schemas"
    ),
    write: Annotated[bool, typer.Option("--write", help="Regenerate instead of checking.")] = False,
) -> None:
    """Check that the committed JSON Schemas match the models (or rewrite them with --write);
    exit 1 when one is out of date."""
    if not write and not directory.is_dir():
        fail(
            f"no directory {directory}: run this in a costplane checkout, or pass --dir, or "
            "print one schema with `costplane policy schema`"
        )
    if write:
        for path in schemas.write_all(directory):
            say(f"wrote {path}")
        return
    stale = [
        name
        for name in schemas.SCHEMAS
        if not (directory / name).exists()
        or (directory / name).read_bytes() != schemas.render(name)
    ]
    if stale:
        fail(f"out of date: {', '.join(stale)}; run `costplane schemas --write`", code=1)
    say(f"{len(schemas.SCHEMAS)} schemas up to date in {directory}")
