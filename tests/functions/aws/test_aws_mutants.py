"""The Lambda handlers on mutated real events, against the moto server: every mutant, delivered
directly (EventBridge) or in an SQS record, is answered with a decision or a rejection with a
stable code; no exception escapes and no mutant is retried (dry-run: the event path alone)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest
from hypothesis import given

from costplane.domain.errors import DeliveryFailed
from tests.functions.aws.conftest import LambdaContext, Stack, sqs_event, sqs_record
from tests.support.mutants import (
    ACKNOWLEDGED,
    ESCAPED,
    RETRIED,
    Mutant,
    fuzzing,
    outcome_of,
    strategy,
    tally,
)


@pytest.fixture
def dry_run_app(stack: Stack, load_function: Any, monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    monkeypatch.setenv("COSTPLANE_MODE", "dry-run")
    loaded: ModuleType = load_function()
    return loaded


def _direct(app: ModuleType, mutant: Mutant) -> list[str]:
    try:
        response = app.lambda_handler(mutant.document, LambdaContext())
    except DeliveryFailed:
        return [RETRIED]
    except Exception:
        return [ESCAPED]
    return [outcome_of(decision) for decision in response["decisions"]]


def _queued(app: ModuleType, mutant: Mutant) -> list[str]:
    body = mutant.raw.decode("utf-8", errors="replace")
    try:
        response = app.sqs_handler(sqs_event(sqs_record(body)), LambdaContext())
    except Exception:
        return [ESCAPED]
    return [RETRIED] if response["batchItemFailures"] else [ACKNOWLEDGED]


def test_every_mutant_delivered_directly_gets_a_decision_or_a_rejection(dry_run_app):
    @fuzzing()
    @given(strategy("aws").filter(lambda mutant: mutant.document is not None))
    def check(mutant: Mutant) -> None:
        tally("aws-lambda-direct", _direct(dry_run_app, mutant))

    check()


def test_every_mutant_in_an_sqs_record_is_acknowledged_never_retried(dry_run_app):
    @fuzzing()
    @given(strategy("aws"))
    def check(mutant: Mutant) -> None:
        tally("aws-lambda-sqs", _queued(dry_run_app, mutant))

    check()
