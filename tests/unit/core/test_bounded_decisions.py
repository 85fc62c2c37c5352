"""A stored decision fits the smallest store's item: whole when it can, summarised otherwise."""

from __future__ import annotations

from datetime import UTC, datetime

from costplane.domain.decisions import (
    MAX_DECISION_BYTES,
    Action,
    ActionKind,
    Decision,
    Outcome,
    bounded,
)

AT = datetime(2026, 12, 1, tzinfo=UTC)


def _decision(**changes: object) -> Decision:
    fields = {"decision_id": "d1", "policy": "tagging", "outcome": Outcome.ERROR, "decided_at": AT}
    return Decision.model_validate(fields | changes)


def test_a_decision_that_fits_is_stored_whole() -> None:
    decision = _decision(reason="fine")
    assert bounded(decision) is decision


def test_a_huge_reason_is_clipped_and_says_it_was_summarised() -> None:
    stored = bounded(_decision(reason="x" * 1_000_000))
    assert len(stored.model_dump_json()) <= MAX_DECISION_BYTES
    assert stored.reason.startswith("x" * 1000)
    assert stored.reason.endswith("bytes]")


def test_huge_action_parameters_are_dropped_when_clipping_is_not_enough() -> None:
    action = Action(kind=ActionKind.TAG, params={"tags": {f"k{i}": "v" * 500 for i in range(500)}})
    stored = bounded(_decision(actions=[action]))
    assert len(stored.model_dump_json()) <= MAX_DECISION_BYTES
    assert [(a.kind, a.params) for a in stored.actions] == [(ActionKind.TAG, {"summarised": True})]
