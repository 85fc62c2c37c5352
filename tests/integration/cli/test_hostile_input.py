"""Every command, given hostile values, ends cleanly: no traceback, an exit status of the
policy (0 success, 1 findings, 2 bad usage or input), and nothing of the value interpreted
by the terminal (no Rich markup applied, no escape sequence sent).

The table is the specification: a new command adds one line to COMMANDS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner, Result

from costplane.billing.focus.sources import get_normaliser
from costplane.billing.lake.table import open_lake
from costplane.billing.lake.writer import ingest
from costplane.cli import app
from tests.conftest import TEST_DATA

FOCUS_SAMPLE = TEST_DATA / "focus" / "focus" / "focus_1.0_sample_1000rows_aws_azure_oci.csv"

HOSTILE = {
    "closing-markup": "[/prod]",
    "opening-markup": "[bold]prod",
    "control-characters": "red\x1b[31m\x07\x08\tline\nbreak",
    "very-long": "costplane-" * 500,
    "wrong-enum": "enforced",
}


@dataclass(frozen=True)
class Place:
    """Where a command's hostile input goes: a lake with a bill in it, and files to write."""

    lake: Path
    files: Path

    def write(self, name: str, document: object) -> str:
        path = self.files / name
        path.write_bytes(orjson.dumps(document))
        return str(path)


Argv = Callable[[str, Place], list[str]]


def _sql_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _sql_identifier(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


AI_REQUEST = ("--vendor", "openai", "--input-tokens", "10", "--max-output-tokens", "10")
COMMANDS: dict[str, Argv] = {
    "events decide (payload key)": lambda v, p: [
        "events", "decide", p.write("event.json", {v: {"x": v}}),
    ],
    "events decide (payload value)": lambda v, p: [
        "events", "decide", p.write("event.json", {"detail-type": v, "detail": {"eventName": v}}),
    ],
    "events decide --taxonomy": lambda v, p: [
        "events", "decide", "--taxonomy", p.write("t.yaml", {"keys": [{"key": v}]}),
        p.write("event.json", {}),
    ],
    "events decide --policies": lambda v, p: [
        "events", "decide", "--policies", p.write("p.yaml", {"policies": [{"name": v}]}),
        p.write("event.json", {}),
    ],
    "events decide --inventory": lambda v, p: [
        "events", "decide", "--inventory", p.write("i.json", {v: {v: v}}),
        p.write("event.json", {}),
    ],
    "events decide --mode": lambda v, p: ["events", "decide", "--mode", v, "x.json"],
    "policy validate": lambda v, p: [
        "policy", "validate", p.write("p.yaml", {"policies": [{"name": v, "actions": [v]}]}),
    ],
    "validate (taxonomy)": lambda v, p: ["validate", p.write("t.yaml", {"keys": [{"key": v}]})],
    "validate (budgets)": lambda v, p: [
        "validate", p.write("b.yaml", {"budgets": [{"name": v, "amount": v}]}),
    ],
    "validate (allocation rules)": lambda v, p: [
        "validate", p.write("a.yaml", {"name": v, "steps": [{"name": v, "rules": []}]}),
    ],
    "validate (unknown kind)": lambda v, p: ["validate", p.write("x.yaml", {v: v})],
    "validate (missing file)": lambda v, p: ["validate", v],
    "ingest --source": lambda v, p: ["ingest", "--lake", str(p.lake), "--source", v, "x.csv"],
    "ingest FILE": lambda v, p: ["ingest", "--lake", str(p.lake), "--source", "focus", v],
    "lake sql (value)": lambda v, p: [
        "lake", "sql", "--lake", str(p.lake), f"SELECT {_sql_literal(v)} AS v",
    ],
    "lake sql (column name)": lambda v, p: [
        "lake", "sql", "--lake", str(p.lake), f"SELECT 1 AS {_sql_identifier(v)}",
    ],
    "lake sql (query)": lambda v, p: ["lake", "sql", "--lake", str(p.lake), v],
    "lake export": lambda v, p: ["lake", "export", "--lake", str(p.lake), str(p.files / v)],
    "lake export --format": lambda v, p: [
        "lake", "export", "--lake", str(p.lake), "--format", v, str(p.files / "out"),
    ],
    "lake history --lake": lambda v, p: ["lake", "history", "--lake", str(p.files / v)],
    "lake delete --period": lambda v, p: [
        "lake", "delete", "--lake", str(p.lake), "--source", "focus", "--period", v, "--yes",
    ],
    "lake delete --source": lambda v, p: [
        "lake", "delete", "--lake", str(p.lake), "--source", v, "--period", "2024-09", "--yes",
    ],
    "lake expire --older-than": lambda v, p: [
        "lake", "expire", "--lake", str(p.lake), "--older-than", v,
    ],
    "budgets status --budgets": lambda v, p: [
        "budgets", "status", "--lake", str(p.lake),
        "--budgets", p.write("b.yaml", {"budgets": [{"name": v, "amount": 1, "scope": {v: v}}]}),
    ],
    "budgets status --at": lambda v, p: ["budgets", "status", "--lake", str(p.lake), "--at", v],
    "approvals pending --plane": lambda v, p: ["approvals", "pending", "--plane", v],
    "resume (target)": lambda v, p: ["resume", v],
    "resume --plane": lambda v, p: ["resume", "i-0123456789abcdef0", "--plane", v],
    "allocate --period": lambda v, p: [
        "allocate", "--lake", str(p.lake), "--period", v,
        "--rules", p.write("a.yaml", {"name": "x", "steps": []}),
    ],
    "allocate --rules": lambda v, p: [
        "allocate", "--lake", str(p.lake), "--period", "2024-09", "--dry-run",
        "--rules", p.write("a.yaml", {"name": "x", "fallback": "it", "steps": [
            {"name": "s", "rules": [{"name": "r", "select": {"where": {"ServiceCategory": [v]}},
                                     "distribute": {"method": "fixed", "shares": {"a": 100}}}]},
        ]}),
    ],
    "forecast --scope": lambda v, p: ["forecast", "--lake", str(p.lake), "--scope", v],
    "forecast --scope tag:": lambda v, p: [
        "forecast", "--lake", str(p.lake), "--scope", f"tag:{v}",
    ],
    "forecast --horizon": lambda v, p: ["forecast", "--lake", str(p.lake), "--horizon", v],
    "forecast backtest --origins": lambda v, p: ["forecast", "backtest", "--origins", v],
    "schemas --dir": lambda v, p: ["schemas", "--dir", str(p.files / v)],
    "demo --events": lambda v, p: ["demo", "--lake", str(p.lake), "--events", str(p.files / v)],
    "ai admission check --model": lambda v, p: [
        "ai", "admission", "check", "--lake", str(p.files), *AI_REQUEST, "--model", v,
    ],
    "ai admission check --model --json": lambda v, p: [
        "ai", "admission", "check", "--lake", str(p.files), *AI_REQUEST, "--model", v, "--json",
    ],
    "ai admission check --team": lambda v, p: [
        "ai", "admission", "check", "--lake", str(p.files), *AI_REQUEST, "--model", "gpt-4o",
        "--team", v,
    ],
    "ai admission check --request-id": lambda v, p: [
        "ai", "admission", "check", "--lake", str(p.files), *AI_REQUEST, "--model", "gpt-4o",
        "--request-id", v,
    ],
    "ai admission check --vendor": lambda v, p: [
        "ai", "admission", "check", "--lake", str(p.files), "--vendor", v, "--model", "m",
        "--input-tokens", "1", "--max-output-tokens", "1",
    ],
    "ai admission check --budgets": lambda v, p: [
        "ai", "admission", "check", "--lake", str(p.files), *AI_REQUEST, "--model", "gpt-4o",
        "--budgets", p.write("b.yaml", {"budgets": [{"name": v, "amount": 1}]}),
    ],
    "unknown command": lambda v, p: [v],
    "unknown option": lambda v, p: ["lake", "sql", f"--{v}"],
}  # fmt: skip
"""Each command, and where in it a hostile value goes."""

ECHOED = {"lake sql (value)", "lake sql (column name)"}
"""Commands that print the value back: it must appear exactly as given."""


@pytest.fixture(scope="module")
def lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "lake"
    ingest(open_lake(path), get_normaliser("focus"), [FOCUS_SAMPLE])
    return path


def run(argv: list[str], cwd: Path) -> Result:
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(cwd)  # a command that defaults to ./.costplane finds nothing of the repo's
        return CliRunner().invoke(app, argv)


@pytest.mark.parametrize("value", HOSTILE.values(), ids=HOSTILE.keys())
@pytest.mark.parametrize("command", COMMANDS.keys())
def test_a_hostile_value_ends_cleanly_with_a_policy_exit_status(
    command: str, value: str, lake: Path, tmp_path: Path
) -> None:
    result = run(COMMANDS[command](value, Place(lake, tmp_path)), tmp_path)
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    assert "\x1b" not in result.output


@pytest.mark.parametrize("value", ["[/prod]", "[bold]prod", "[hello]"])
@pytest.mark.parametrize("command", sorted(ECHOED))
def test_a_value_with_brackets_is_printed_as_given(
    command: str, value: str, lake: Path, tmp_path: Path
) -> None:
    result = run(COMMANDS[command](value, Place(lake, tmp_path)), tmp_path)
    assert result.exit_code == 0, result.output
    assert value in result.stdout


def test_a_control_character_is_shown_not_sent_to_the_terminal(lake: Path, tmp_path: Path) -> None:
    result = run(
        COMMANDS["lake sql (value)"]("bell\x07 escape\x1b[2J", Place(lake, tmp_path)), tmp_path
    )
    assert "bell\\x07 escape\\x1b[2J" in result.stdout


def test_an_error_row_keeps_the_brackets_of_its_reason(tmp_path: Path) -> None:
    event = tmp_path / "[hello].json"
    event.write_bytes(b"not json")
    result = run(["events", "decide", str(event)], tmp_path)
    assert result.exit_code == 0, result.output
    assert "[hello]" in result.stdout
