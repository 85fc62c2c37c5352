"""`costplane events decide` on mutated real events: every file gets a decision or a rejection
with a stable code, the command exits 0, and bad files never hide the good one before them (a
mutant of the same event, delivered after it, is a duplicate)."""

from __future__ import annotations

from pathlib import Path
from tempfile import TemporaryDirectory

import orjson
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from costplane.cli import app
from tests.conftest import EVENTS
from tests.support.mutants import ESCAPED, Mutant, fuzzing, outcome_of, strategy, tally

GOOD = EVENTS / "aws" / "aws-cloudtrail-ec2-runinstances-with-tagspecificationset-record.json"
PER_RUN = 5
runner = CliRunner()


@fuzzing(share=PER_RUN)
@given(st.lists(strategy(), min_size=PER_RUN, max_size=PER_RUN))
def test_every_mutant_file_gets_a_decision_or_a_rejection_beside_a_good_one(
    mutants: list[Mutant],
) -> None:
    with TemporaryDirectory() as folder:
        files = [Path(folder) / f"mutant-{index}.json" for index in range(len(mutants))]
        for path, mutant in zip(files, mutants, strict=True):
            path.write_bytes(mutant.raw)
        result = runner.invoke(app, ["events", "decide", "--json", str(GOOD), *map(str, files)])
    rows = [orjson.loads(line) for line in result.stdout.splitlines()]
    for path in files:
        outcomes = [outcome_of(row) for row in rows if row["file"] == str(path)]
        tally("cli", outcomes if result.exit_code == 0 else [ESCAPED])
    assert [row["outcome"] for row in rows if row["file"] == str(GOOD)] == ["violation"]
