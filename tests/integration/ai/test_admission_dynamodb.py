"""The admission ledger on DynamoDB (a moto server): one TransactWriteItems per reservation,
conditional on every counter's room, so 64 racing threads never pass a budget; settling and
expiry are transactions conditional on the hold's state.

`serialised_moto` runs moto's DynamoDB calls one at a time, as DynamoDB applies a transaction
all at once; the client threads still interleave freely between their own calls."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from costplane.adapters.aws.admission_ledger import DynamoDbAdmissionLedger
from costplane.ai.admission import Usage
from costplane.ai.ports import ReservationUnknown
from tests.support.admission_race import NOW, WORST, admission, racing_request, threads

LIMIT = WORST * 100
LEDGER = "ai-race#2026-11"


@pytest.fixture
def ledger(admission_table: str) -> DynamoDbAdmissionLedger:
    return DynamoDbAdmissionLedger(admission_table)


def test_64_threads_reserve_exactly_what_fits(ledger: DynamoDbAdmissionLedger) -> None:
    raced = threads(lambda: admission(ledger, LIMIT), callers=64, attempts=3, settle=False)
    assert raced.admitted == 100
    assert ledger.committed(LEDGER) == LIMIT


def test_64_threads_settling_as_they_go_never_pass_the_limit(
    ledger: DynamoDbAdmissionLedger,
) -> None:
    raced = threads(lambda: admission(ledger, LIMIT), callers=64, attempts=3, settle=True)
    assert ledger.committed(LEDGER) == raced.settled
    assert raced.settled <= LIMIT


def test_a_refusal_names_the_budget_and_what_it_holds(ledger: DynamoDbAdmissionLedger) -> None:
    check = admission(ledger, WORST)
    assert check.reserve(racing_request("a", 1)).admitted
    refused = check.reserve(racing_request("a", 2))
    assert refused.refusal is not None
    assert (refused.refusal.budget, refused.refusal.committed) == ("ai-race", WORST)


def test_a_retried_request_id_does_not_reserve_twice(ledger: DynamoDbAdmissionLedger) -> None:
    check = admission(ledger, LIMIT)
    first = check.reserve(racing_request("a", 1))
    held = ledger.find("a-1")
    assert held is not None
    assert ledger.reserve(held) == held  # the ledger's own answer, past the service's lookup
    assert check.reserve(racing_request("a", 1)) == first
    assert ledger.committed(LEDGER) == WORST


def test_settling_replaces_the_reservation_once(ledger: DynamoDbAdmissionLedger) -> None:
    check = admission(ledger, LIMIT)
    check.reserve(racing_request("a", 1))
    check.settle("a-1", Usage(cost=Decimal("0.0001")))
    check.settle("a-1", Usage(cost=Decimal("0.0001")))
    assert ledger.committed(LEDGER) == Decimal("0.0001")


def test_settling_an_unknown_reservation_says_so(ledger: DynamoDbAdmissionLedger) -> None:
    with pytest.raises(ReservationUnknown):
        ledger.settle("never", Decimal(1), 0)


def test_overdue_reservations_are_found_by_the_index_and_given_back(
    ledger: DynamoDbAdmissionLedger,
) -> None:
    check = admission(ledger, LIMIT)
    check.reserve(racing_request("a", 1))
    check.reserve(racing_request("a", 2))
    check.settle("a-2", Usage(cost=Decimal("0.0001")))
    assert ledger.expire(NOW + check.ttl - timedelta(seconds=1)) == 0
    assert ledger.expire(NOW + check.ttl) == 1
    assert ledger.committed(LEDGER) == Decimal("0.0001")


def test_settling_at_exactly_the_reserved_amount_changes_nothing(
    ledger: DynamoDbAdmissionLedger,
) -> None:
    check = admission(ledger, LIMIT)
    check.reserve(racing_request("a", 1))
    check.settle("a-1", Usage(cost=WORST))  # a zero change, sent as 0, never as 0E-8
    assert ledger.committed(LEDGER) == WORST
