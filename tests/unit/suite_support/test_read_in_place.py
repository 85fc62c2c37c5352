"""The suite's rule for data it may not copy (tests/conftest.py): a test marked `read_in_place`
runs when the file is in ../shared/data; when it is missing, the test fails under CI and is
skipped, naming the file and its licence, elsewhere. Only READ_IN_PLACE files may be read so."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import tests.conftest as suite

BUDGETS = "events/aws/aws-budgets-notification-sns-lambda-event.json"


class MarkedItem:
    """The part of a collected test the hook reads: its `read_in_place` marks."""

    def __init__(self, *relatives: str) -> None:
        self.marks = [pytest.mark.read_in_place(*relatives).mark]

    def iter_markers(self, name: str) -> Iterator[pytest.Mark]:
        return (mark for mark in self.marks if mark.name == name)


@pytest.fixture
def empty_shared_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(suite, "SHARED_DATA", tmp_path)
    return tmp_path


def test_a_test_whose_file_is_missing_fails_under_ci(
    empty_shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception) as failed:
        suite.pytest_runtest_setup(MarkedItem(BUDGETS))
    assert BUDGETS in str(failed.value)
    assert "CI is set" in str(failed.value)


def test_a_test_whose_file_is_missing_is_skipped_outside_ci_naming_it_and_its_licence(
    empty_shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception) as skipped:
        suite.pytest_runtest_setup(MarkedItem(BUDGETS))
    assert f"{BUDGETS} (no license file seen;" in str(skipped.value)


@pytest.mark.parametrize("value", ["", "0", "false"])
def test_ci_set_to_nothing_or_false_is_not_ci(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("CI", value)
    assert not suite.in_ci()


def test_a_test_whose_file_is_present_runs(
    empty_shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CI", "true")
    (empty_shared_data / BUDGETS).parent.mkdir(parents=True)
    (empty_shared_data / BUDGETS).write_text("{}")
    suite.pytest_runtest_setup(MarkedItem(BUDGETS))


def test_a_file_the_repo_may_hold_is_never_read_in_place() -> None:
    with pytest.raises(ValueError, match="may be copied"):
        suite.in_place("events/aws/aws-sns-lambda-event-generic.json")


def test_a_test_marked_for_a_file_the_repo_may_hold_errors() -> None:
    with pytest.raises(ValueError, match="may be copied"):
        suite.pytest_runtest_setup(MarkedItem("aws/cur_legacy_anonymized_2023-11_days01-07.csv"))
