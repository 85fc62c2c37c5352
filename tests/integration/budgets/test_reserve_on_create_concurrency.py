"""Concurrent creations cannot push a budget past its amount, whether the budget service
instances share a SQLite file across processes or a DynamoDB table (a moto server): exactly
one of two creations that do not both fit is granted its reservation, and the policy runner
decides the other one a breach of the 100%-projected threshold."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import orjson

from costplane.adapters.aws.dynamodb import DynamoDbRecords
from costplane.adapters.budget_records import RecordBudgetState
from costplane.adapters.local.sqlite import SqliteRecords
from costplane.budgets.prices import PriceBook, PriceTable, fallback_sheet
from costplane.budgets.service import BudgetService
from tests.support.stores import sqlite_budgets
from tests.unit.budgets.budget_support import budgets, make_service
from tests.unit.budgets.reservation_support import (
    ML,
    breached,
    creation,
    granted,
    race,
    threshold_runner,
)

INSTANCES = ("i-a", "i-b")


def test_two_processes_on_one_sqlite_file_get_one_reservation(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    SqliteRecords(path).close()
    script = textwrap.dedent(
        """
        import sys, time
        import orjson
        from tests.support.stores import sqlite_budgets
        from tests.unit.budgets.budget_support import budgets, make_service
        from tests.unit.budgets.reservation_support import ML, breached, creation, threshold_runner
        path, instance, start_at = sys.argv[1], sys.argv[2], float(sys.argv[3])
        runner = threshold_runner(make_service(budgets(ML), store=sqlite_budgets(path)))
        event = creation(instance)
        time.sleep(max(0.0, start_at - time.time()))
        sys.stdout.write(orjson.dumps(breached(runner.decide(event))).decode())
        """
    )
    start_at = time.time() + 3.0  # both processes are up and waiting before either decides
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", script, str(path), instance, str(start_at)],
            stdout=subprocess.PIPE,
        )
        for instance in INSTANCES
    ]
    outputs = [p.communicate(timeout=120)[0] for p in processes]
    assert [p.returncode for p in processes] == [0, 0]
    service = make_service(budgets(ML), store=sqlite_budgets(path))
    refused = [
        orjson.loads(out)
        for out, instance in zip(outputs, INSTANCES, strict=True)
        if not granted(service, instance)
    ]
    assert refused == [True]


def test_two_instances_on_one_dynamodb_table_get_one_reservation(budgets_table: str) -> None:
    services = [_dynamodb_service(budgets_table) for _ in INSTANCES]
    decided = race(
        [
            lambda: threshold_runner(services[0]).decide(creation(INSTANCES[0])),
            lambda: threshold_runner(services[1]).decide(creation(INSTANCES[1])),
        ]
    )
    refused = [
        decisions
        for decisions, instance in zip(decided, INSTANCES, strict=True)
        if not granted(services[0], instance)
    ]
    assert len(refused) == 1
    assert breached(refused[0])


def _dynamodb_service(table: str) -> BudgetService:
    state = RecordBudgetState(DynamoDbRecords(table, kinds=True))
    prices = PriceBook(PriceTable("lake"), fallback_sheet())
    return BudgetService(budgets(ML), prices, state, state, ledger=state)
