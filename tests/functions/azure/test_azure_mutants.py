"""The Azure tag enforcer's Event Grid webhook on mutated real events, at the HTTP layer: every
mutant is answered 200 with a decision or a rejection with a stable code, or 400 with the code
of a body that is not JSON; never 500 (a retry) and never an exception."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import orjson
from hypothesis import given

from tests.functions.azure.test_azure_tag_enforcer_function import post
from tests.support.mutants import ESCAPED, Mutant, answered, fuzzing, strategy, tally


def _answer(blueprint: ModuleType, mutant: Mutant) -> list[str]:
    try:
        response = blueprint.webhook(post(mutant.raw))
    except Exception:
        return [ESCAPED]
    return answered(response.status_code, orjson.loads(response.get_body()))


def test_every_mutant_posted_to_the_webhook_is_answered_with_a_decision_or_a_rejection(
    blueprint: ModuleType, arm: Any
) -> None:
    @fuzzing()
    @given(strategy("azure"))
    def check(mutant: Mutant) -> None:
        tally("azure-webhook", _answer(blueprint, mutant))

    check()
