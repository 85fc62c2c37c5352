"""What every command shares: the exit-status policy, --version, help a person can read."""

from __future__ import annotations

import re
from pathlib import Path

import orjson
import pytest
import yaml
from typer.testing import CliRunner, Result

from costplane.billing.allocation.loader import EXAMPLE_RULES
from costplane.bootstrap import EXAMPLE_BUDGETS, EXAMPLE_POLICIES, EXAMPLE_TAXONOMY
from costplane.cli import app

runner = CliRunner()


def invoke(*args: str) -> Result:
    return runner.invoke(app, list(args))


def _commands() -> list[list[str]]:
    """Every command path, from the root's help down."""
    found: list[list[str]] = []

    def walk(path: list[str]) -> None:
        found.append(path)
        help_text = invoke(*path, "--help").stdout
        section = help_text.partition("Commands")[2]
        for name in re.findall(r"^│ ([a-z][a-z-]+) ", section, flags=re.MULTILINE):
            walk([*path, name])

    walk([])
    return found


COMMANDS = _commands()


def test_the_walk_reaches_every_command() -> None:
    assert ["validate"] in COMMANDS
    assert ["lake", "sql"] in COMMANDS
    assert ["forecast", "backtest"] in COMMANDS


@pytest.mark.parametrize("path", COMMANDS, ids=lambda p: " ".join(p) or "costplane")
def test_help_names_kinds_of_values_never_python_types(path: list[str]) -> None:
    help_text = invoke(*path, "--help").stdout
    assert not re.search(r"<(bool|str|int|path|list\[|datetime)", help_text), help_text


def test_a_flag_takes_no_value() -> None:
    result = invoke("lake", "history", "--json", "true")
    assert result.exit_code == 2


def test_the_root_help_states_the_exit_status_policy() -> None:
    help_text = " ".join(invoke("--help").stdout.split())
    assert "0 success · 1 findings (violations, invalid files) · 2 bad usage" in help_text


def test_version_prints_the_installed_version() -> None:
    result = invoke("--version")
    assert (result.exit_code, result.stdout.split()[0]) == (0, "costplane")


def test_an_enumerated_option_lists_its_choices_in_help() -> None:
    help_text = invoke("lake", "export", "--help").stdout
    assert "[parquet|csv]" in help_text


def test_ingest_help_lists_every_source() -> None:
    help_text = " ".join(invoke("ingest", "--help").stdout.split())
    assert "aws-cur2" in help_text
    assert "azure-focus" in help_text


def test_json_is_worded_the_same_everywhere() -> None:
    helps = [
        " ".join(invoke(*path, "--help").stdout.replace("│", " ").split()) for path in COMMANDS
    ]
    with_json = [h for h in helps if "--json" in h]
    assert len(with_json) >= 10
    assert all("--json Print JSON for scripts, at full precision." in h for h in with_json)


def test_a_bad_input_file_exits_2_in_every_command_that_reads_one(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("keys: [unclosed")
    event = tmp_path / "e.json"
    event.write_text("{}")
    statuses = {
        "events decide": invoke("events", "decide", "--taxonomy", str(broken), str(event)),
        "budgets status": invoke("budgets", "status", "--budgets", str(broken)),
        "allocate": invoke("allocate", "--rules", str(broken), "--period", "2024-09"),
    }
    assert {name: r.exit_code for name, r in statuses.items()} == dict.fromkeys(statuses, 2)


def test_validate_recognises_each_kind_of_configuration_file() -> None:
    files = [EXAMPLE_TAXONOMY, EXAMPLE_POLICIES, EXAMPLE_BUDGETS, EXAMPLE_RULES]
    result = invoke("validate", "--json", *map(str, files))
    assert result.exit_code == 0, result.output
    rows = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert [(r["kind"], r["valid"]) for r in rows] == [
        ("taxonomy", True),
        ("policies", True),
        ("budgets", True),
        ("allocation rules", True),
    ]


def test_validate_exits_1_naming_the_field_of_an_invalid_file(tmp_path: Path) -> None:
    budgets = yaml.safe_load(EXAMPLE_BUDGETS.read_text())
    budgets["budgets"][0]["amount"] = "lots"
    path = tmp_path / "budgets.yaml"
    path.write_text(yaml.safe_dump(budgets))
    result = invoke("validate", "--json", str(path))
    [row] = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert (result.exit_code, row["kind"], row["valid"]) == (1, "budgets", False)
    assert "budgets.0.amount" in row["error"]


def test_validate_exits_1_for_a_file_of_no_known_kind(tmp_path: Path) -> None:
    path = tmp_path / "other.yaml"
    path.write_text("something: else\n")
    result = invoke("validate", "--json", str(path))
    assert result.exit_code == 1
    assert "not one of taxonomy (keys:)" in orjson.loads(result.stdout)["error"]


def test_validate_exits_2_for_a_file_that_is_not_there(tmp_path: Path) -> None:
    assert invoke("validate", str(tmp_path / "missing.yaml")).exit_code == 2


def test_schemas_outside_a_checkout_says_where_to_run_it(tmp_path: Path) -> None:
    result = invoke("schemas", "--dir", str(tmp_path / "schemas"))
    assert result.exit_code == 2
    assert "run this in a costplane checkout" in " ".join(result.output.split())
