"""`costplane policy …`: validate policy files and print their JSON Schema."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from costplane import schemas
from costplane.cli.output import JsonOption, fail, json_lines, table
from costplane.policy.loader import PolicyFileError, load_policy_file

app = typer.Typer(help="Policies as code: validate files, print the schema.", no_args_is_help=True)


@app.command("validate")
def validate(
    files: Annotated[list[Path], typer.Argument(help="Policy YAML files.")],
    as_json: JsonOption = False,
) -> None:
    """Validate policy files; exit 1 naming the file, path and field at fault (2 when one
    is not there). `costplane validate` checks any kind of configuration file."""
    if missing := [str(path) for path in files if not path.is_file()]:
        fail(f"no such file: {', '.join(missing)}")
    results: list[dict[str, Any]] = []
    for path in files:
        try:
            loaded = load_policy_file(path)
        except PolicyFileError as exc:
            results.append({"file": str(path), "valid": False, "error": str(exc), "policies": []})
        else:
            names = [p.name for p in loaded.policies]
            results.append({"file": str(path), "valid": True, "error": None, "policies": names})
    if as_json:
        json_lines(results)
    else:
        table(
            "Policy files",
            ["file", "valid", "policies", "error"],
            (
                (r["file"], "yes" if r["valid"] else "NO", ", ".join(r["policies"]), r["error"])
                for r in results
            ),
        )
    if not all(r["valid"] for r in results):
        raise typer.Exit(1)


@app.command("schema")
def schema() -> None:
    """Print the policy JSON Schema (generated from the registered conditions and actions)."""
    sys.stdout.buffer.write(schemas.render("policy.schema.json"))
