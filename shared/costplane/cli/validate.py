"""`costplane validate FILE…`: check any configuration file before anything runs on it.

The kind of each file is recognised from its top-level keys (a taxonomy has `keys`, a policy
file `policies`, a budgets file `budgets`, allocation rules `steps`), then it is validated the
way the command that uses it would: same models, same messages.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from costplane import bootstrap
from costplane.billing.allocation.loader import load_rules
from costplane.cli.output import JsonOption, json_lines, table
from costplane.config import Settings
from costplane.domain.documents import read_document
from costplane.policy.loader import load_policy_file
from costplane.tagging.loader import load_taxonomy


def _taxonomy(path: Path) -> list[str]:
    return [key.key for key in load_taxonomy(path).keys]


def _policies(path: Path) -> list[str]:
    return [policy.name for policy in load_policy_file(path).policies]


def _budgets(path: Path) -> list[str]:
    return [budget.name for budget in bootstrap.budgets(Settings(budgets=path)).budgets]


def _allocation(path: Path) -> list[str]:
    return [rule.name for step in load_rules(path).steps for rule in step.rules]


KINDS: dict[str, tuple[str, Callable[[Path], list[str]]]] = {
    "keys": ("taxonomy", _taxonomy),
    "policies": ("policies", _policies),
    "budgets": ("budgets", _budgets),
    "steps": ("allocation rules", _allocation),
}
"""Top-level key → the kind of file it marks, and how to validate one (names what it holds)."""


class Unreadable(ValueError):
    """A file that is not there, not text, or not YAML/JSON: bad input, not a finding."""


def check(path: Path) -> dict[str, Any]:
    """One file's verdict: its kind, whether it is valid, what it defines, or the problem."""
    document = read_document(path, "file", Unreadable)
    marks = [key for key in KINDS if isinstance(document, dict) and key in document]
    if len(marks) != 1:
        expected = ", ".join(f"{kind} ({key}:)" for key, (kind, _) in KINDS.items())
        problem = f"{path}: not one of {expected}"
        return {"file": str(path), "kind": None, "valid": False, "error": problem, "names": []}
    kind, validate = KINDS[marks[0]]
    try:
        names = validate(path)
    except ValueError as exc:
        return {"file": str(path), "kind": kind, "valid": False, "error": str(exc), "names": []}
    return {"file": str(path), "kind": kind, "valid": True, "error": None, "names": names}


def validate_command(
    files: Annotated[
        list[Path], typer.Argument(help="Taxonomy, policy, budgets or allocation rule files.")
    ],
    as_json: JsonOption = False,
) -> None:
    """Recognise and validate configuration files: exit 1 when one is invalid, naming the
    file, the path in it and the field at fault; 2 when one cannot be read."""
    results = []
    for path in files:
        try:
            results.append(check(path))
        except Unreadable as exc:
            results.append(
                {"file": str(path), "kind": None, "valid": None, "error": str(exc), "names": []}
            )
    if as_json:
        json_lines(results)
    else:
        table(
            "Configuration files",
            ["file", "kind", "valid", "defines", "problem"],
            (
                (
                    r["file"],
                    r["kind"] or "-",
                    {True: "yes", False: "NO", None: "unreadable"}[r["valid"]],
                    ", ".join(r["names"]),
                    r["error"],
                )
                for r in results
            ),
        )
    if any(r["valid"] is None for r in results):
        raise typer.Exit(2)
    if not all(r["valid"] for r in results):
        raise typer.Exit(1)
