"""What a Lambda handler answers is what Powertools records after the actions ran, so it always
fits one DynamoDB item."""

from __future__ import annotations

from datetime import UTC, datetime

import orjson

from costplane.adapters.aws.lambda_handlers import MAX_RESPONSE_BYTES, response_of
from costplane.domain.decisions import Decision, Outcome


def _decisions(count: int, reason: str) -> list[Decision]:
    at = datetime(2026, 12, 1, tzinfo=UTC)
    return [
        Decision(
            decision_id=f"d{n}",
            policy="tagging",
            resource_id=f"i-{n:017x}",
            outcome=Outcome.VIOLATION,
            reason=reason,
            decided_at=at,
        )
        for n in range(count)
    ]


def test_decisions_that_fit_are_answered_whole() -> None:
    decisions = _decisions(3, "missing tags")
    summaries = [d.model_dump(mode="json") for d in decisions]
    assert response_of(decisions, summaries) == summaries


def test_decisions_too_large_for_the_idempotency_record_are_answered_one_line_each() -> None:
    decisions = _decisions(500, "r" * 20_000)
    answer = response_of(decisions, [d.model_dump(mode="json") for d in decisions])
    assert len(orjson.dumps(answer)) <= MAX_RESPONSE_BYTES
    assert answer[0] == {
        "decision_id": "d0",
        "outcome": "violation",
        "resource_id": "i-00000000000000000",
        "summarised": True,
    }
