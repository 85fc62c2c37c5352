"""Budget state in the Azure state table: each change one entity, guarded by its ETag or by
its absence, and re-read when another instance wrote first."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest

from costplane.adapters.azure.tables import AzureTableRecords
from costplane.adapters.budget_records import RecordBudgetState
from costplane.adapters.local.sqlite import SqliteRecords
from costplane.bootstrap import budget_service
from costplane.budgets.ports import (
    RateEntry,
    ReservationLedger,
    ReservationNotFound,
    RunRateStore,
    SignalFigures,
    SignalStore,
)
from costplane.budgets.service import BudgetService
from costplane.config import Settings
from costplane.domain.budgets import BudgetsFile
from costplane.planes import load_plane
from tests.integration.azure_adapters.azure_support import VM
from tests.integration.azure_adapters.http_script import Exchange, Script, rest
from tests.support.tagging import NOW, FixedClock
from tests.unit.budgets.budget_support import budgets

TABLE = "https://stcostplane.table.core.windows.net/costplane"
HEADERS: dict[str, str | None] = {
    "x-ms-version": "2019-02-02",
    "x-ms-date": "Fri, 27 Nov 2026 12:00:00 GMT",
    "Accept": "application/json;odata=nometadata",
}
INSERT_HEADERS = {**HEADERS, "Prefer": "return-no-content"}
ETAG = "W/\"datetime'2026-11-27T11%3A00%3A00.1234567Z'\""
NEWER_ETAG = "W/\"datetime'2026-11-27T11%3A59%3A00.7654321Z'\""
NOT_FOUND = {"odata.error": {"code": "ResourceNotFound", "message": {"value": "not found"}}}
CONFLICT = {"odata.error": {"code": "EntityAlreadyExists", "message": {"value": "exists"}}}
STALE = {"odata.error": {"code": "UpdateConditionNotSatisfied", "message": {"value": "etag"}}}
SINCE = NOW - timedelta(hours=3)
LEDGER = "vm-budget#2026-11"


def sha(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def url(kind: str, key: str) -> str:
    return f"{TABLE}(PartitionKey='budget-{kind}',RowKey='{sha(key)}')"


def state(script: Script) -> RecordBudgetState:
    return RecordBudgetState(
        AzureTableRecords(rest(script), TABLE, FixedClock(), partition_prefix="budget-")
    )


def rate_entity(running: bool = True, reserved: str = "[]") -> dict[str, Any]:
    return {
        "PartitionKey": "budget-rate",
        "RowKey": sha(VM),
        "Key": VM,
        "Rate": "0.096",
        "Currency": "USD",
        "Budgets": '["vm-budget","team-payments"]',
        "Running": running,
        "Since": SINCE.isoformat(),
        "Reserved": reserved,
    }


def read(kind: str, key: str, entity: dict[str, Any] | None, etag: str = ETAG) -> Exchange:
    if entity is None:
        return Exchange("GET", url(kind, key), headers=HEADERS, status=404, reply=NOT_FOUND)
    stored = {**entity, "Timestamp": "2026-11-27T11:00:00.1234567Z"}
    return Exchange(
        "GET", url(kind, key), headers=HEADERS, reply=stored, reply_headers={"ETag": etag}
    )


def replace(
    kind: str, key: str, entity: dict[str, Any], status: int = 204, etag: str = ETAG
) -> Exchange:
    headers = {**HEADERS, "If-Match": etag}
    reply = STALE if status == 412 else None
    return Exchange("PUT", url(kind, key), body=entity, headers=headers, status=status, reply=reply)


def insert(entity: dict[str, Any], status: int = 204) -> Exchange:
    reply = CONFLICT if status == 409 else None
    return Exchange("POST", TABLE, body=entity, headers=INSERT_HEADERS, status=status, reply=reply)


def ledger_entity(committed: str, reservations: str) -> dict[str, Any]:
    return {
        "PartitionKey": "budget-ledger",
        "RowKey": sha(LEDGER),
        "Ledger": LEDGER,
        "Committed": committed,
        "Reservations": reservations,
    }


INDEX = {"PartitionKey": "budget-reservation", "RowKey": sha("r-1"), "Ledger": LEDGER}


def test_the_table_state_implements_the_three_budget_ports() -> None:
    table = state(Script())
    assert isinstance(table, RunRateStore)
    assert isinstance(table, SignalStore)
    assert isinstance(table, ReservationLedger)


def test_a_rate_is_written_whatever_the_row_held() -> None:
    put = Exchange(
        "PUT",
        url("rate", VM),
        body=rate_entity(),
        headers={**HEADERS, "If-Match": None},
        status=204,
    )
    script = Script(put)
    entry = RateEntry(Decimal("0.096"), "USD", ("vm-budget", "team-payments"), True, SINCE)
    state(script).put_rate(VM, entry)
    assert script.done


def test_stopping_a_resource_replaces_it_under_its_etag_and_clears_reserved() -> None:
    stopped = {**rate_entity(False), "Since": NOW.isoformat()}
    script = Script(
        read("rate", VM, rate_entity(reserved='["vm-budget"]')), replace("rate", VM, stopped)
    )
    assert state(script).set_running(VM, False, NOW) is True
    assert script.done


def test_starting_a_resource_already_running_writes_nothing() -> None:
    script = Script(read("rate", VM, rate_entity()))
    assert state(script).set_running(VM, True, NOW) is True
    assert script.done


def test_an_unknown_resource_cannot_be_started() -> None:
    script = Script(read("rate", VM, None))
    assert state(script).set_running(VM, True, NOW) is False
    assert script.done


def test_a_stop_that_lost_a_race_reads_again_and_acts_on_what_it_finds() -> None:
    stopped = {**rate_entity(False), "Since": NOW.isoformat()}
    script = Script(
        read("rate", VM, rate_entity()),
        replace("rate", VM, stopped, status=412),
        read("rate", VM, rate_entity(False), NEWER_ETAG),
    )
    assert state(script).set_running(VM, False, NOW) is True
    assert script.done


def test_removing_a_rate_deletes_its_row() -> None:
    delete = Exchange("DELETE", url("rate", VM), headers={**HEADERS, "If-Match": "*"}, status=204)
    script = Script(delete)
    assert state(script).remove_rate(VM) is True
    assert script.done


def test_removing_an_unknown_rate_is_false() -> None:
    delete = Exchange(
        "DELETE", url("rate", VM), headers={**HEADERS, "If-Match": "*"}, status=404, reply=NOT_FOUND
    )
    assert state(Script(delete)).remove_rate(VM) is False


def test_running_rates_are_one_query_of_the_running_rows_per_budget() -> None:
    other = {**rate_entity(), "Key": "vm-2", "RowKey": sha("vm-2"), "Budgets": '["elsewhere"]'}
    query = f"{TABLE}()?%24filter=PartitionKey%20eq%20%27budget-rate%27%20and%20Running%20eq%20true"
    page = {"value": [rate_entity(reserved='["vm-budget"]'), other]}
    script = Script(Exchange("GET", query, headers=HEADERS, reply=page))
    found = state(script).running_rates(["vm-budget", "team-payments", "empty"])
    assert found == {
        "vm-budget": [
            RateEntry(Decimal("0.096"), "USD", ("vm-budget",), True, SINCE, ("vm-budget",))
        ],
        "team-payments": [RateEntry(Decimal("0.096"), "USD", ("team-payments",), True, SINCE)],
        "empty": [],
    }


def signal_entity(actual: str, forecast: str | None = None) -> dict[str, Any]:
    entity = {
        "PartitionKey": "budget-signal",
        "RowKey": sha("vm-budget#2026-11"),
        "Budget": "vm-budget",
        "Period": "2026-11",
        "Actual": actual,
    }
    return entity | ({"Forecast": forecast} if forecast else {})


def test_a_first_signal_inserts_its_row() -> None:
    script = Script(read("signal", "vm-budget#2026-11", None), insert(signal_entity("120.5")))
    state(script).record_signal("vm-budget", "2026-11", SignalFigures(Decimal("120.5")))
    assert script.done


def test_a_signal_only_raises_the_figures_it_exceeds() -> None:
    script = Script(
        read("signal", "vm-budget#2026-11", signal_entity("120.5", "300")),
        replace("signal", "vm-budget#2026-11", signal_entity("130", "300")),
    )
    figures = SignalFigures(Decimal("130"), Decimal("250"))
    state(script).record_signal("vm-budget", "2026-11", figures)
    assert script.done


def test_a_lower_signal_writes_nothing() -> None:
    script = Script(read("signal", "vm-budget#2026-11", signal_entity("120.5", "300")))
    state(script).record_signal("vm-budget", "2026-11", SignalFigures(Decimal("90")))
    assert script.done


def test_a_signal_inserted_first_by_another_instance_is_compared_with_it() -> None:
    script = Script(
        read("signal", "vm-budget#2026-11", None),
        insert(signal_entity("100"), status=409),
        read("signal", "vm-budget#2026-11", signal_entity("150")),
    )
    state(script).record_signal("vm-budget", "2026-11", SignalFigures(Decimal("100")))
    assert script.done


def test_signal_figures_read_back_as_decimals() -> None:
    script = Script(read("signal", "vm-budget#2026-11", signal_entity("120.5", "300")))
    figures = state(script).signal_figures("vm-budget", "2026-11")
    assert figures == SignalFigures(Decimal("120.5"), Decimal("300"))


RESERVED_30 = '{"r-1":{"amount":"30","state":"reserved"}}'


def test_a_reservation_within_headroom_is_granted_in_one_conditional_write() -> None:
    script = Script(
        read("ledger", LEDGER, None),
        insert(INDEX),
        insert(ledger_entity("30", RESERVED_30)),
    )
    assert state(script).reserve(LEDGER, "r-1", Decimal("30"), Decimal("100")) is True
    assert script.done


def test_a_reservation_adds_to_the_ledger_under_its_etag() -> None:
    held = ledger_entity("50", '{"r-0":{"amount":"50","state":"settled","cost":"50"}}')
    grown = ledger_entity(
        "80",
        '{"r-0":{"amount":"50","cost":"50","state":"settled"},"r-1":{"amount":"30","state":"reserved"}}',
    )
    script = Script(read("ledger", LEDGER, held), insert(INDEX), replace("ledger", LEDGER, grown))
    assert state(script).reserve(LEDGER, "r-1", Decimal("30"), Decimal("100")) is True
    assert script.done


def test_a_reservation_beyond_headroom_is_refused_and_writes_nothing() -> None:
    script = Script(
        read("ledger", LEDGER, ledger_entity("80", '{"r-0":{"amount":"80","state":"reserved"}}'))
    )
    assert state(script).reserve(LEDGER, "r-1", Decimal("30"), Decimal("100")) is False
    assert script.done


def test_a_retried_reservation_answers_what_the_first_was_granted() -> None:
    script = Script(read("ledger", LEDGER, ledger_entity("30", RESERVED_30)))
    assert state(script).reserve(LEDGER, "r-1", Decimal("30"), Decimal("100")) is True
    assert script.done


def test_a_reservation_that_lost_a_race_is_refused_when_the_winner_took_the_headroom() -> None:
    taken = ledger_entity("90", '{"r-9":{"amount":"90","state":"reserved"}}')
    script = Script(
        read("ledger", LEDGER, None),
        insert(INDEX),
        insert(ledger_entity("30", RESERVED_30), status=409),
        read("ledger", LEDGER, taken, NEWER_ETAG),
    )
    assert state(script).reserve(LEDGER, "r-1", Decimal("30"), Decimal("100")) is False
    assert script.done


def reserved(*amounts: tuple[str, str]) -> str:
    """The Reservations property holding these reserved (id, amount) pairs, as stored."""
    entries = {rid: {"amount": amount, "state": "reserved"} for rid, amount in amounts}
    return orjson.dumps(entries, option=orjson.OPT_SORT_KEYS).decode()


def test_a_reservation_that_lost_a_race_retries_on_the_ledger_read_again() -> None:
    first = ledger_entity("10", reserved(("r-8", "10")))
    mine = ledger_entity("40", reserved(("r-1", "30"), ("r-8", "10")))
    second = ledger_entity("20", reserved(("r-8", "10"), ("r-9", "10")))
    granted = ledger_entity("50", reserved(("r-1", "30"), ("r-8", "10"), ("r-9", "10")))
    script = Script(
        read("ledger", LEDGER, first),
        insert(INDEX),
        replace("ledger", LEDGER, mine, status=412),
        read("ledger", LEDGER, second, NEWER_ETAG),
        replace("ledger", LEDGER, granted, etag=NEWER_ETAG),
    )
    assert state(script).reserve(LEDGER, "r-1", Decimal("30"), Decimal("100")) is True
    assert script.done


def test_settling_replaces_the_amount_by_the_cost_under_the_ledger_etag() -> None:
    settled = ledger_entity("25", '{"r-1":{"amount":"30","cost":"25","state":"settled"}}')
    script = Script(
        read("reservation", "r-1", INDEX),
        read("ledger", LEDGER, ledger_entity("30", RESERVED_30)),
        replace("ledger", LEDGER, settled),
    )
    assert state(script).settle("r-1", Decimal("25")) is True
    assert script.done


def test_releasing_a_settled_reservation_is_false() -> None:
    settled = ledger_entity("25", '{"r-1":{"amount":"30","cost":"25","state":"settled"}}')
    script = Script(read("reservation", "r-1", INDEX), read("ledger", LEDGER, settled))
    assert state(script).release("r-1") is False
    assert script.done


def test_settling_an_unknown_reservation_raises() -> None:
    with pytest.raises(ReservationNotFound):
        state(Script(read("reservation", "r-1", None))).settle("r-1", Decimal(1))


def test_committed_is_the_ledger_total() -> None:
    script = Script(read("ledger", LEDGER, ledger_entity("30", RESERVED_30)))
    assert state(script).committed(LEDGER) == Decimal("30")


def test_the_azure_plane_with_a_state_account_keeps_budgets_in_its_table(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COSTPLANE_AZURE_STATE_ACCOUNT", "stcostplane")
    monkeypatch.setenv("COSTPLANE_AZURE_TOKEN", "test-token")
    file = BudgetsFile(budgets=budgets({"name": "vm-budget", "amount": 500, "scope": {}}))
    spend = budget_service(load_plane("azure", Settings(lake=tmp_path / "lake")), file, NOW)
    assert isinstance(spend, BudgetService)
    assert isinstance(spend.rates, RecordBudgetState)
    assert spend.rates is spend.signals is spend.ledger
    records = spend.rates.records
    assert isinstance(records, AzureTableRecords)
    assert records.table_url == TABLE


def test_the_azure_plane_without_a_state_account_keeps_budgets_in_sqlite(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("COSTPLANE_AZURE_STATE_ACCOUNT", raising=False)
    file = BudgetsFile(budgets=budgets({"name": "vm-budget", "amount": 500, "scope": {}}))
    settings = Settings(lake=tmp_path / "lake", state_path=tmp_path / "state.db")
    spend = budget_service(load_plane("azure", settings), file, NOW)
    assert isinstance(spend, BudgetService)
    assert isinstance(spend.rates, RecordBudgetState)
    assert isinstance(spend.rates.records, SqliteRecords)
