"""The GCP tag enforcer's Pub/Sub push endpoint on mutated real events, at the HTTP layer of
functions-framework: every mutated log entry, pushed as Pub/Sub delivers it, is answered 200
with a decision or a rejection with a stable code; never 500 (a redelivery), never a crash."""

from __future__ import annotations

from typing import Any

from hypothesis import given

from tests.support.mutants import (
    ESCAPED,
    REJECTION,
    RETRIED,
    Mutant,
    fuzzing,
    outcome_of,
    pubsub_push,
    strategy,
    tally,
)


def _answer(client: Any, mutant: Mutant) -> list[str]:
    response = client.post("/", data=pubsub_push(mutant.raw), content_type="application/json")
    body = response.get_json(silent=True) or {}
    if response.status_code == 400:
        return [REJECTION] if body.get("error") else [ESCAPED]
    if response.status_code == 500 and "decisions" in body:
        return [RETRIED]
    if response.status_code != 200:
        return [ESCAPED]
    return [outcome_of(decision) for decision in body["decisions"]]


def test_every_mutant_pushed_by_pubsub_is_answered_with_a_decision_or_a_rejection(
    serve_function: Any, google: Any
) -> None:
    client = serve_function("tag_enforcer_push")

    @fuzzing()
    @given(strategy("gcp"))
    def check(mutant: Mutant) -> None:
        tally("gcp-push", _answer(client, mutant))

    check()
