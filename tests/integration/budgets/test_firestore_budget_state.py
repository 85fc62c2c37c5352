"""Budget state in the GCP plane's Firestore: each change one commit, guarded by the
`updateTime` read or by `exists: false`, and re-read when another instance committed first."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import orjson
import pytest

from costplane.adapters.budget_records import RecordBudgetState
from costplane.adapters.gcp.firestore import FirestoreRecords
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
from tests.integration.azure_adapters.http_script import Exchange, Script, rest
from tests.integration.gcp_adapters.gcp_support import INSTANCE, PROJECT, google_error
from tests.support.tagging import NOW
from tests.unit.budgets.budget_support import budgets

V1 = "https://firestore.googleapis.com/v1"
DOCUMENTS = f"projects/{PROJECT}/databases/(default)/documents"
COMMIT = f"{V1}/{DOCUMENTS}:commit"
READ_TIME = "2026-11-27T11:00:00.123456Z"
NEWER_TIME = "2026-11-27T11:59:00.654321Z"
COMMITTED = {"writeResults": [{"updateTime": NOW.isoformat()}], "commitTime": NOW.isoformat()}
SINCE = NOW - timedelta(hours=3)
LEDGER = "vm-budget#2026-11"
SIGNAL = "vm-budget#2026-11"


def name(kind: str, key: str) -> str:
    return f"{DOCUMENTS}/costplane_budgets/{kind}-{hashlib.sha256(key.encode()).hexdigest()}"


def state(script: Script) -> RecordBudgetState:
    records = FirestoreRecords(
        rest(script), "costplane_budgets", project=PROJECT, kinds=True, capitalised=True
    )
    return RecordBudgetState(records)


def strings(**fields: str) -> dict[str, Any]:
    return {field: {"stringValue": value} for field, value in fields.items()}


def rate_doc(running: bool = True, reserved: str = "[]") -> dict[str, Any]:
    fields = strings(
        Key=INSTANCE,
        Rate="0.0475",
        Currency="USD",
        Budgets='["vm-budget","team-payments"]',
        Since=SINCE.isoformat(),
        Reserved=reserved,
    )
    return {
        "name": name("rate", INSTANCE),
        "fields": fields | {"Running": {"booleanValue": running}},
    }


def read(kind: str, key: str, document: dict[str, Any] | None, at: str = READ_TIME) -> Exchange:
    url = f"{V1}/{name(kind, key)}"
    if document is None:
        missing = google_error(404, f"Document {name(kind, key)} not found.", "NOT_FOUND")
        return Exchange("GET", url, status=404, reply=missing)
    stored = {**document, "createTime": READ_TIME, "updateTime": at}
    return Exchange("GET", url, reply=stored)


def commit(
    document: dict[str, Any], precondition: dict[str, Any] | None, refused: str = ""
) -> Exchange:
    write: dict[str, Any] = {"update": document}
    if precondition is not None:
        write["currentDocument"] = precondition
    body = {"writes": [write]}
    if refused == "ALREADY_EXISTS":
        reply = google_error(409, f"Document already exists: {document['name']}", refused)
        return Exchange("POST", COMMIT, body=body, status=409, reply=reply)
    if refused == "FAILED_PRECONDITION":
        reply = google_error(400, "the stored version does not match", refused)
        return Exchange("POST", COMMIT, body=body, status=400, reply=reply)
    return Exchange("POST", COMMIT, body=body, reply=COMMITTED)


def ledger_doc(committed: str, reservations: str) -> dict[str, Any]:
    fields = strings(Ledger=LEDGER, Committed=committed, Reservations=reservations)
    return {"name": name("ledger", LEDGER), "fields": fields}


def reserved(*amounts: tuple[str, str]) -> str:
    """The Reservations field holding these reserved (id, amount) pairs, as stored."""
    entries = {rid: {"amount": amount, "state": "reserved"} for rid, amount in amounts}
    return orjson.dumps(entries, option=orjson.OPT_SORT_KEYS).decode()


INDEX = {"name": name("reservation", "r-1"), "fields": strings(Ledger=LEDGER)}


def test_the_firestore_state_implements_the_three_budget_ports() -> None:
    firestore = state(Script())
    assert isinstance(firestore, RunRateStore)
    assert isinstance(firestore, SignalStore)
    assert isinstance(firestore, ReservationLedger)


def test_a_rate_is_committed_without_a_precondition() -> None:
    script = Script(commit(rate_doc(), None))
    entry = RateEntry(Decimal("0.0475"), "USD", ("vm-budget", "team-payments"), True, SINCE)
    state(script).put_rate(INSTANCE, entry)
    assert script.done


def test_stopping_a_resource_commits_under_its_update_time_and_clears_reserved() -> None:
    stopped = rate_doc(False)
    stopped["fields"]["Since"] = {"stringValue": NOW.isoformat()}
    script = Script(
        read("rate", INSTANCE, rate_doc(reserved='["vm-budget"]')),
        commit(stopped, {"updateTime": READ_TIME}),
    )
    assert state(script).set_running(INSTANCE, False, NOW) is True
    assert script.done


def test_an_unknown_resource_cannot_be_stopped() -> None:
    script = Script(read("rate", INSTANCE, None))
    assert state(script).set_running(INSTANCE, False, NOW) is False
    assert script.done


def test_a_stop_that_lost_a_race_reads_again_and_acts_on_what_it_finds() -> None:
    stopped = rate_doc(False)
    stopped["fields"]["Since"] = {"stringValue": NOW.isoformat()}
    script = Script(
        read("rate", INSTANCE, rate_doc()),
        commit(stopped, {"updateTime": READ_TIME}, "FAILED_PRECONDITION"),
        read("rate", INSTANCE, rate_doc(False), NEWER_TIME),
    )
    assert state(script).set_running(INSTANCE, False, NOW) is True
    assert script.done


def test_removing_a_rate_deletes_the_document_only_if_it_exists() -> None:
    url = f"{V1}/{name('rate', INSTANCE)}?currentDocument.exists=true"
    script = Script(Exchange("DELETE", url, reply={}))
    assert state(script).remove_rate(INSTANCE) is True
    assert script.done


def test_removing_an_unknown_rate_is_false() -> None:
    url = f"{V1}/{name('rate', INSTANCE)}?currentDocument.exists=true"
    missing = google_error(404, "No document to update", "NOT_FOUND")
    assert (
        state(Script(Exchange("DELETE", url, status=404, reply=missing))).remove_rate(INSTANCE)
        is False
    )


def test_running_rates_are_one_query_on_running_per_budget() -> None:
    query = {
        "structuredQuery": {
            "from": [{"collectionId": "costplane_budgets"}],
            "where": {
                "fieldFilter": {
                    "field": {"fieldPath": "Running"},
                    "op": "EQUAL",
                    "value": {"booleanValue": True},
                }
            },
        }
    }
    other = rate_doc()
    other["fields"]["Budgets"] = {"stringValue": '["elsewhere"]'}
    results = [
        {"document": rate_doc(reserved='["vm-budget"]'), "readTime": NOW.isoformat()},
        {"document": other, "readTime": NOW.isoformat()},
    ]
    script = Script(Exchange("POST", f"{V1}/{DOCUMENTS}:runQuery", body=query, reply=results))
    found = state(script).running_rates(["vm-budget", "team-payments", "empty"])
    assert found == {
        "vm-budget": [
            RateEntry(Decimal("0.0475"), "USD", ("vm-budget",), True, SINCE, ("vm-budget",))
        ],
        "team-payments": [RateEntry(Decimal("0.0475"), "USD", ("team-payments",), True, SINCE)],
        "empty": [],
    }


def signal_doc(actual: str, forecast: str | None = None) -> dict[str, Any]:
    figures = {"Actual": actual} | ({"Forecast": forecast} if forecast else {})
    fields = strings(Budget="vm-budget", Period="2026-11", **figures)
    return {"name": name("signal", SIGNAL), "fields": fields}


def test_a_first_signal_creates_its_document_only_if_absent() -> None:
    script = Script(read("signal", SIGNAL, None), commit(signal_doc("120.5"), {"exists": False}))
    state(script).record_signal("vm-budget", "2026-11", SignalFigures(Decimal("120.5")))
    assert script.done


def test_a_signal_only_raises_the_figures_it_exceeds() -> None:
    script = Script(
        read("signal", SIGNAL, signal_doc("120.5", "300")),
        commit(signal_doc("130", "300"), {"updateTime": READ_TIME}),
    )
    figures = SignalFigures(Decimal("130"), Decimal("250"))
    state(script).record_signal("vm-budget", "2026-11", figures)
    assert script.done


def test_a_lower_signal_commits_nothing() -> None:
    script = Script(read("signal", SIGNAL, signal_doc("120.5", "300")))
    state(script).record_signal("vm-budget", "2026-11", SignalFigures(Decimal("90"), Decimal("1")))
    assert script.done


def test_a_signal_raised_first_by_another_instance_is_compared_with_it() -> None:
    script = Script(
        read("signal", SIGNAL, signal_doc("100")),
        commit(signal_doc("140"), {"updateTime": READ_TIME}, "FAILED_PRECONDITION"),
        read("signal", SIGNAL, signal_doc("150"), NEWER_TIME),
    )
    state(script).record_signal("vm-budget", "2026-11", SignalFigures(Decimal("140")))
    assert script.done


def test_a_reservation_within_headroom_creates_the_ledger() -> None:
    script = Script(
        read("ledger", LEDGER, None),
        commit(INDEX, {"exists": False}),
        commit(ledger_doc("30", reserved(("r-1", "30"))), {"exists": False}),
    )
    assert state(script).reserve(LEDGER, "r-1", Decimal("30"), Decimal("100")) is True
    assert script.done


def test_a_reservation_beyond_headroom_is_refused_and_commits_nothing() -> None:
    script = Script(read("ledger", LEDGER, ledger_doc("80", reserved(("r-0", "80")))))
    assert state(script).reserve(LEDGER, "r-1", Decimal("30"), Decimal("100")) is False
    assert script.done


def test_a_retried_reservation_answers_what_the_first_was_granted() -> None:
    script = Script(read("ledger", LEDGER, ledger_doc("30", reserved(("r-1", "30")))))
    assert state(script).reserve(LEDGER, "r-1", Decimal("30"), Decimal("100")) is True
    assert script.done


def test_a_reservation_that_lost_a_race_retries_on_the_ledger_read_again() -> None:
    script = Script(
        read("ledger", LEDGER, ledger_doc("10", reserved(("r-8", "10")))),
        commit(INDEX, {"exists": False}),
        commit(
            ledger_doc("40", reserved(("r-1", "30"), ("r-8", "10"))),
            {"updateTime": READ_TIME},
            "FAILED_PRECONDITION",
        ),
        read(
            "ledger", LEDGER, ledger_doc("20", reserved(("r-8", "10"), ("r-9", "10"))), NEWER_TIME
        ),
        commit(
            ledger_doc("50", reserved(("r-1", "30"), ("r-8", "10"), ("r-9", "10"))),
            {"updateTime": NEWER_TIME},
        ),
    )
    assert state(script).reserve(LEDGER, "r-1", Decimal("30"), Decimal("100")) is True
    assert script.done


def test_a_reservation_that_lost_a_race_is_refused_when_the_winner_took_the_headroom() -> None:
    script = Script(
        read("ledger", LEDGER, None),
        commit(INDEX, {"exists": False}),
        commit(ledger_doc("30", reserved(("r-1", "30"))), {"exists": False}, "ALREADY_EXISTS"),
        read("ledger", LEDGER, ledger_doc("90", reserved(("r-9", "90"))), NEWER_TIME),
    )
    assert state(script).reserve(LEDGER, "r-1", Decimal("30"), Decimal("100")) is False
    assert script.done


def test_releasing_gives_the_amount_back_under_the_ledger_update_time() -> None:
    released = '{"r-1":{"amount":"30","cost":"0","state":"released"}}'
    script = Script(
        read("reservation", "r-1", INDEX),
        read("ledger", LEDGER, ledger_doc("30", reserved(("r-1", "30")))),
        commit(ledger_doc("0", released), {"updateTime": READ_TIME}),
    )
    assert state(script).release("r-1") is True
    assert script.done


def test_settling_an_unknown_reservation_raises() -> None:
    with pytest.raises(ReservationNotFound):
        state(Script(read("reservation", "r-1", None))).settle("r-1", Decimal(1))


def test_committed_is_zero_for_a_ledger_never_written() -> None:
    assert state(Script(read("ledger", LEDGER, None))).committed(LEDGER) == 0


def test_the_gcp_plane_with_a_state_project_keeps_budgets_in_firestore(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("COSTPLANE_GCP_STATE_PROJECT", PROJECT)
    monkeypatch.setenv("COSTPLANE_GCP_STATE_COLLECTION", "finops")
    monkeypatch.setenv("COSTPLANE_GCP_TOKEN", "test-token")
    file = BudgetsFile(budgets=budgets({"name": "vm-budget", "amount": 500, "scope": {}}))
    spend = budget_service(load_plane("gcp", Settings(lake=tmp_path / "lake")), file, NOW)
    assert isinstance(spend, BudgetService)
    assert isinstance(spend.rates, RecordBudgetState)
    assert spend.rates is spend.signals is spend.ledger
    records = spend.rates.records
    assert isinstance(records, FirestoreRecords)
    assert records.collection == "finops_budgets"
    assert records.documents == DOCUMENTS


def test_the_gcp_plane_without_a_state_project_keeps_budgets_in_sqlite(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("COSTPLANE_GCP_STATE_PROJECT", raising=False)
    file = BudgetsFile(budgets=budgets({"name": "vm-budget", "amount": 500, "scope": {}}))
    settings = Settings(lake=tmp_path / "lake", state_path=tmp_path / "state.db")
    spend = budget_service(load_plane("gcp", settings), file, NOW)
    assert isinstance(spend, BudgetService)
    assert isinstance(spend.rates, RecordBudgetState)
    assert isinstance(spend.rates.records, SqliteRecords)
