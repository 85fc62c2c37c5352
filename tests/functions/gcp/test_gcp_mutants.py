"""The GCP tag enforcer's Pub/Sub push endpoint on mutated real events, at the HTTP layer of
functions-framework: every mutated log entry, pushed as Pub/Sub delivers it, is answered 200
with a decision or a rejection with a stable code; never 500 (a redelivery), never a crash."""

from __future__ import annotations

from typing import Any

from hypothesis import given

from tests.support.mutants import Mutant, answered, fuzzing, pubsub_push, strategy, tally


def test_every_mutant_pushed_by_pubsub_is_answered_with_a_decision_or_a_rejection(
    serve_function: Any, google: Any
) -> None:
    client = serve_function("tag_enforcer_push")

    @fuzzing()
    @given(strategy("gcp"))
    def check(mutant: Mutant) -> None:
        response = client.post("/", data=pubsub_push(mutant.raw), content_type="application/json")
        tally("gcp-push", answered(response.status_code, response.get_json(silent=True) or {}))

    check()
