"""No overspend under concurrency, DynamoDB (a moto server): writes conditional on the ledger
version read grant exactly as many reservations as fit, however many threads race for them.

DynamoDB applies the conditional writes to an item one at a time; moto does not promise it.
`serialised_moto` (conftest.py) puts moto's DynamoDB calls under one lock, giving back the
guarantee the real service has, so these tests check our protocol rather than moto's threading.
Client threads still interleave freely between their own calls (read the ledger, compare,
write), which is where a write not conditional on the version read would overspend.
"""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import orjson
import pytest

from costplane.adapters.aws.dynamodb import DynamoDbRecords
from costplane.adapters.budget_records import RecordBudgetState
from costplane.budgets.ports import ReservationLedger, ReservationNotFound

TABLE = "costplane-budgets"
LEDGER = "ml-prod#2026-11"
LIMIT = Decimal("10.00")


@pytest.fixture
def ledger(budgets_table: str) -> RecordBudgetState:
    return RecordBudgetState(DynamoDbRecords(budgets_table, kinds=True))


def _item(aws_env: str, key: str) -> dict[str, Any]:
    import boto3

    db = boto3.client("dynamodb", region_name="us-east-1", endpoint_url=aws_env)
    return dict(db.get_item(TableName=TABLE, Key={"id": {"S": key}})["Item"])


def _reservations(aws_env: str) -> dict[str, dict[str, str]]:
    """The reservations the ledger's item holds, by id."""
    held: dict[str, dict[str, str]] = orjson.loads(
        _item(aws_env, f"ledger#{LEDGER}")["reservations"]["S"]
    )
    return held


def _race(ledger: RecordBudgetState, workers: int, attempts: int, amount: Decimal) -> list[str]:
    start = threading.Barrier(workers)
    granted: list[str] = []
    lock = threading.Lock()

    def work(worker: int) -> None:
        start.wait()
        for attempt in range(attempts):
            reservation = f"w{worker}-{attempt}"
            if ledger.reserve(LEDGER, reservation, amount, LIMIT):
                with lock:
                    granted.append(reservation)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return granted


def test_it_is_a_reservation_ledger(ledger: RecordBudgetState) -> None:
    assert isinstance(ledger, ReservationLedger)


def test_concurrent_threads_never_pass_the_limit(ledger: RecordBudgetState) -> None:
    granted = _race(ledger, 12, 5, Decimal("0.30"))
    assert len(granted) == 33  # floor(10.00 / 0.30)
    assert ledger.committed(LEDGER) == Decimal("9.90")


def test_amounts_add_up_exactly_as_decimals(ledger: RecordBudgetState, aws_env: str) -> None:
    for reservation in ("r1", "r2", "r3"):
        assert ledger.reserve(LEDGER, reservation, Decimal("0.1"), LIMIT)
    assert Decimal(_item(aws_env, f"ledger#{LEDGER}")["committed"]["S"]) == Decimal("0.3")
    assert _reservations(aws_env)["r1"]["state"] == "reserved"


def test_a_retried_reservation_is_granted_once(ledger: RecordBudgetState) -> None:
    assert ledger.reserve(LEDGER, "r1", Decimal(6), LIMIT)
    assert ledger.reserve(LEDGER, "r1", Decimal(6), LIMIT)
    assert ledger.committed(LEDGER) == Decimal(6)


def test_a_retry_is_answered_even_once_the_budget_is_full(
    ledger: RecordBudgetState,
) -> None:
    assert ledger.reserve(LEDGER, "r1", Decimal(6), LIMIT)
    assert ledger.reserve(LEDGER, "r1", Decimal(6), Decimal(5))


def test_a_reservation_past_the_limit_is_refused(ledger: RecordBudgetState) -> None:
    ledger.reserve(LEDGER, "r1", Decimal("6.67"), LIMIT)
    assert not ledger.reserve(LEDGER, "r2", Decimal("3.34"), LIMIT)
    assert ledger.committed(LEDGER) == Decimal("6.67")


def test_settling_and_releasing_move_the_ledger_by_the_difference(
    ledger: RecordBudgetState, aws_env: str
) -> None:
    ledger.reserve(LEDGER, "r1", Decimal(5), LIMIT)
    ledger.reserve(LEDGER, "r2", Decimal(3), LIMIT)
    assert ledger.settle("r1", Decimal("4.25"))
    assert ledger.release("r2")
    assert ledger.committed(LEDGER) == Decimal("4.25")
    assert _reservations(aws_env)["r1"]["cost"] == "4.25"
    assert not ledger.settle("r1", Decimal(1))
    assert not ledger.release("r2")


def test_settling_an_unknown_reservation_is_an_error(ledger: RecordBudgetState) -> None:
    with pytest.raises(ReservationNotFound):
        ledger.settle("never", Decimal(1))
