"""The state store in Azure Table storage: claims are atomic inserts, decisions a newest-first
partition."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from costplane.adapters.azure.tables import AzureTableRecords
from costplane.adapters.rest import CloudApiError
from costplane.adapters.state_records import ClaimSweep, RecordStateStore
from costplane.domain.decisions import Decision, Outcome
from tests.integration.azure_adapters.http_script import Exchange, Script, rest
from tests.support.tagging import NOW, FixedClock

TABLE = "https://stcostplane.table.core.windows.net/costplane"
KEY = "azure:4db48cba-50a2-455a-93b4-de41a3b5b7f6:/subscriptions/s/resourceGroups/rg/vm1"
ROW = hashlib.sha256(KEY.encode()).hexdigest()
CLAIM_URL = f"{TABLE}(PartitionKey='claim',RowKey='{ROW}')"
HEADERS: dict[str, str | None] = {
    "x-ms-version": "2019-02-02",
    "x-ms-date": "Fri, 27 Nov 2026 12:00:00 GMT",
    "Accept": "application/json;odata=nometadata",
}
INSERT_HEADERS = {**HEADERS, "Prefer": "return-no-content"}
CLAIM = {
    "PartitionKey": "claim",
    "RowKey": ROW,
    "Key": KEY,
    "Expires": "2026-11-27T13:00:00.000000Z",
    "Expires@odata.type": "Edm.DateTime",
}
CONFLICT = {
    "odata.error": {
        "code": "EntityAlreadyExists",
        "message": {"lang": "en-US", "value": "The specified entity already exists."},
    }
}
ETAG = "W/\"datetime'2026-11-20T10%3A00%3A00.1234567Z'\""


def store(script: Script) -> RecordStateStore:
    records = AzureTableRecords(rest(script), TABLE, FixedClock())
    return RecordStateStore(records, records, FixedClock())


def insert(status: int, reply: object = None) -> Exchange:
    return Exchange("POST", TABLE, body=CLAIM, headers=INSERT_HEADERS, status=status, reply=reply)


def held_claim(expires: str) -> Exchange:
    entity = {**CLAIM, "Expires": expires, "Timestamp": "2026-11-20T10:00:00.1234567Z"}
    del entity["Expires@odata.type"]
    return Exchange("GET", CLAIM_URL, headers=HEADERS, reply=entity, reply_headers={"ETag": ETAG})


def test_a_first_claim_inserts_the_entity() -> None:
    script = Script(insert(204))
    assert store(script).claim(KEY, 3600) is True
    assert script.done


def test_a_live_claim_is_refused() -> None:
    script = Script(insert(409, CONFLICT), held_claim("2026-11-27T12:30:00.0000000Z"))
    assert store(script).claim(KEY, 3600) is False
    assert script.done


def test_an_expired_claim_is_taken_over_under_its_etag() -> None:
    replace = Exchange(
        "PUT", CLAIM_URL, body=CLAIM, headers={**HEADERS, "If-Match": ETAG}, status=204
    )
    script = Script(insert(409, CONFLICT), held_claim("2026-11-27T11:59:59.9999999Z"), replace)
    assert store(script).claim(KEY, 3600) is True
    assert script.done


def test_an_expired_claim_taken_over_by_another_delivery_first_is_refused() -> None:
    lost = Exchange("PUT", CLAIM_URL, body=CLAIM, headers={**HEADERS, "If-Match": ETAG}, status=412)
    script = Script(insert(409, CONFLICT), held_claim("2026-11-20T00:00:00Z"), lost)
    assert store(script).claim(KEY, 3600) is False


def test_a_claim_released_while_we_read_it_is_inserted_again() -> None:
    gone = Exchange("GET", CLAIM_URL, headers=HEADERS, status=404)
    script = Script(insert(409, CONFLICT), gone, insert(204))
    assert store(script).claim(KEY, 3600) is True
    assert script.done


def test_release_deletes_the_claim_whatever_its_etag() -> None:
    script = Script(Exchange("DELETE", CLAIM_URL, headers={**HEADERS, "If-Match": "*"}, status=204))
    store(script).release(KEY)
    assert script.done


def test_releasing_a_claim_that_is_not_there_is_fine() -> None:
    script = Script(Exchange("DELETE", CLAIM_URL, headers={**HEADERS, "If-Match": "*"}, status=404))
    store(script).release(KEY)
    assert script.done


def test_a_missing_table_is_an_error_naming_the_table() -> None:
    error = {"odata.error": {"code": "TableNotFound", "message": {"value": "missing"}}}
    script = Script(Exchange("POST", TABLE, body=CLAIM, status=404, reply=error))
    with pytest.raises(CloudApiError, match="costplane failed with HTTP 404 TableNotFound"):
        store(script).claim(KEY, 3600)


def decision(decision_id: str, at: datetime) -> Decision:
    return Decision(
        decision_id=decision_id, policy="tagging", outcome=Outcome.VIOLATION, decided_at=at
    )


def row(item: Decision) -> dict[str, str]:
    micros = int(item.decided_at.timestamp() * 1_000_000)
    return {
        "PartitionKey": "decision",
        "RowKey": f"{10**17 - 1 - micros:017d}-{item.decision_id}",
        "DecisionId": item.decision_id,
        "DecidedAt": item.decided_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "DecidedAt@odata.type": "Edm.DateTime",
        "Body": item.model_dump_json(),
    }


def test_a_decision_is_inserted_with_a_row_key_that_sorts_newest_first() -> None:
    older, newer = decision("a" * 32, NOW), decision("b" * 32, NOW + timedelta(seconds=1))
    assert row(newer)["RowKey"] < row(older)["RowKey"]
    script = Script(Exchange("POST", TABLE, body=row(older), headers=INSERT_HEADERS, status=204))
    store(script).append_decision(older)
    assert script.done


def query(top: int, continuation: str = "") -> str:
    return f"{TABLE}()?%24filter=PartitionKey%20eq%20%27decision%27&%24top={top}{continuation}"


def test_recent_decisions_are_one_query_returned_oldest_first() -> None:
    first = decision("a" * 32, datetime(2026, 11, 27, 11, tzinfo=UTC))
    second = decision("b" * 32, datetime(2026, 11, 27, 12, tzinfo=UTC))
    reply = {"value": [row(second), row(first)]}
    script = Script(Exchange("GET", query(2), headers=HEADERS, reply=reply))
    assert store(script).recent_decisions(2) == [first, second]


def test_recent_decisions_follow_the_continuation_headers() -> None:
    first = decision("a" * 32, datetime(2026, 11, 27, 11, tzinfo=UTC))
    second = decision("b" * 32, datetime(2026, 11, 27, 12, tzinfo=UTC))
    more = {
        "x-ms-continuation-NextPartitionKey": "1!12!ZGVjaXNpb24-",
        "x-ms-continuation-NextRowKey": "1!8!YWJj",
    }
    script = Script(
        Exchange(
            "GET", query(2), headers=HEADERS, reply={"value": [row(second)]}, reply_headers=more
        ),
        Exchange(
            "GET",
            query(1, "&NextPartitionKey=1%2112%21ZGVjaXNpb24-&NextRowKey=1%218%21YWJj"),
            headers=HEADERS,
            reply={"value": [row(first)]},
        ),
    )
    assert store(script).recent_decisions(2) == [first, second]
    assert script.done


def sweep(script: Script) -> ClaimSweep:
    return ClaimSweep(AzureTableRecords(rest(script), TABLE, FixedClock()), FixedClock())


EXPIRED_QUERY = (
    f"{TABLE}()?%24filter=PartitionKey%20eq%20%27claim%27%20and%20Expires%20lt%20"
    "datetime%272026-11-27T12%3A00%3A00.000000Z%27"
)
MINIMAL = {**HEADERS, "Accept": "application/json;odata=minimalmetadata"}


def expired_row(key: str, etag: str) -> dict[str, str]:
    return {
        "odata.etag": etag,
        "PartitionKey": "claim",
        "RowKey": hashlib.sha256(key.encode()).hexdigest(),
        "Timestamp": "2026-11-20T10:00:00.1234567Z",
        "Key": key,
        "Expires": "2026-11-27T11:00:00.0000000Z",
        "Expires@odata.type": "Edm.DateTime",
    }


def test_the_sweep_deletes_each_expired_claim_under_the_etag_it_was_found_with() -> None:
    other = "azure:other:/subscriptions/s/resourceGroups/rg/vm2"
    other_url = (
        f"{TABLE}(PartitionKey='claim',RowKey='{hashlib.sha256(other.encode()).hexdigest()}')"
    )
    reply = {"value": [expired_row(KEY, ETAG), expired_row(other, 'W/"x"')]}
    script = Script(
        Exchange("GET", EXPIRED_QUERY, headers=MINIMAL, reply=reply),
        Exchange("DELETE", CLAIM_URL, headers={**HEADERS, "If-Match": ETAG}, status=204),
        Exchange("DELETE", other_url, headers={**HEADERS, "If-Match": 'W/"x"'}, status=204),
    )
    assert sweep(script).purge() == 2
    assert script.done


@pytest.mark.parametrize(
    "status", [412, 404], ids=["taken over since: its etag changed", "released since"]
)
def test_a_claim_that_changed_after_the_sweep_found_it_is_not_counted(status: int) -> None:
    reply = {"value": [expired_row(KEY, ETAG)]}
    script = Script(
        Exchange("GET", EXPIRED_QUERY, headers=MINIMAL, reply=reply),
        Exchange("DELETE", CLAIM_URL, headers={**HEADERS, "If-Match": ETAG}, status=status),
    )
    assert sweep(script).purge() == 0
    assert script.done


def test_the_sweep_follows_the_continuation_headers() -> None:
    more = {
        "x-ms-continuation-NextPartitionKey": "1!8!Y2xhaW0-",
        "x-ms-continuation-NextRowKey": "1!4!YWI-",
    }
    script = Script(
        Exchange("GET", EXPIRED_QUERY, headers=MINIMAL, reply={"value": []}, reply_headers=more),
        Exchange(
            "GET",
            f"{EXPIRED_QUERY}&NextPartitionKey=1%218%21Y2xhaW0-&NextRowKey=1%214%21YWI-",
            headers=MINIMAL,
            reply={"value": [expired_row(KEY, ETAG)]},
        ),
        Exchange("DELETE", CLAIM_URL, headers={**HEADERS, "If-Match": ETAG}, status=204),
    )
    assert sweep(script).purge() == 1
    assert script.done
