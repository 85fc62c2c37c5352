"""The approval store in Azure Table storage: inserted once, decided once under the ETag read,
pending by expiry."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from costplane.adapters.approval_records import RecordApprovalStore
from costplane.adapters.azure.tables import AzureTableRecords
from costplane.approvals.model import ApprovalRequest, ApprovalStatus
from costplane.approvals.ports import ApprovalStore
from tests.integration.azure_adapters.http_script import Exchange, Script, rest
from tests.support.tagging import NOW, FixedClock
from tests.unit.approvals.approvals_support import pending_request

TABLE = "https://stcostplane.table.core.windows.net/costplane"
ENTITY_URL = f"{TABLE}(PartitionKey='approval',RowKey='req-1')"
HEADERS: dict[str, str | None] = {
    "x-ms-version": "2019-02-02",
    "x-ms-date": "Fri, 27 Nov 2026 12:00:00 GMT",
    "Accept": "application/json;odata=nometadata",
}
INSERT_HEADERS = {**HEADERS, "Prefer": "return-no-content"}
ETAG = "W/\"datetime'2026-11-27T11%3A00%3A00.1234567Z'\""
CONFLICT = {"odata.error": {"code": "EntityAlreadyExists", "message": {"value": "exists"}}}
PENDING_FILTER = "PartitionKey%20eq%20%27approval%27%20and%20Status%20eq%20%27pending%27"


def store(script: Script) -> RecordApprovalStore:
    return RecordApprovalStore(AzureTableRecords(rest(script), TABLE, FixedClock(), hashed=False))


def entity(request: ApprovalRequest) -> dict[str, str]:
    return {
        "PartitionKey": "approval",
        "RowKey": request.id,
        "Status": request.status.value,
        "Expires": request.expires.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "Expires@odata.type": "Edm.DateTime",
        "Body": request.model_dump_json(),
    }


def stored(request: ApprovalRequest) -> dict[str, Any]:
    """An entity as Table storage returns it: no type annotations, a Timestamp."""
    row: dict[str, Any] = {**entity(request), "Timestamp": "2026-11-27T11:00:00.1234567Z"}
    del row["Expires@odata.type"]
    return row


def read(request: ApprovalRequest) -> Exchange:
    return Exchange(
        "GET", ENTITY_URL, headers=HEADERS, reply=stored(request), reply_headers={"ETag": ETAG}
    )


def replace(request: ApprovalRequest, status: int = 204) -> Exchange:
    headers = {**HEADERS, "If-Match": ETAG}
    return Exchange("PUT", ENTITY_URL, body=entity(request), headers=headers, status=status)


def decided(by: str, status: ApprovalStatus = ApprovalStatus.APPROVED) -> ApprovalRequest:
    return pending_request(status=status, decided_by=by, decided_at=NOW)


def test_the_store_is_an_approval_store() -> None:
    assert isinstance(store(Script()), ApprovalStore)


def test_a_new_request_is_inserted_as_an_entity() -> None:
    request = pending_request()
    script = Script(
        Exchange("POST", TABLE, body=entity(request), headers=INSERT_HEADERS, status=204)
    )
    assert store(script).add(request) is True
    assert script.done


def test_a_second_request_with_the_same_id_is_refused() -> None:
    request = pending_request()
    script = Script(Exchange("POST", TABLE, body=entity(request), status=409, reply=CONFLICT))
    assert store(script).add(request) is False


def test_a_request_reads_back_as_stored() -> None:
    request = pending_request()
    assert store(Script(read(request))).get("req-1") == request


def test_an_unknown_request_reads_as_none() -> None:
    script = Script(Exchange("GET", ENTITY_URL, headers=HEADERS, status=404))
    assert store(script).get("req-1") is None


def test_an_id_is_quoted_into_the_row_key() -> None:
    url = f"{TABLE}(PartitionKey='approval',RowKey='it%27%27s%2Fx')"
    script = Script(Exchange("GET", url, headers=HEADERS, status=404))
    assert store(script).get("it's/x") is None


def test_a_pending_request_is_replaced_under_the_etag_it_was_read_with() -> None:
    script = Script(read(pending_request()), replace(decided("U1")))
    assert store(script).settle(decided("U1")) is True
    assert script.done


def test_a_request_decided_already_is_not_settled_again() -> None:
    script = Script(
        read(pending_request()),
        replace(decided("U1")),
        read(decided("U1")),
    )
    assert store(script).settle(decided("U1")) is True
    assert store(script).settle(decided("U2", ApprovalStatus.DENIED)) is False
    assert script.done


def test_a_request_decided_by_another_instance_after_our_read_is_not_settled() -> None:
    script = Script(read(pending_request()), replace(decided("U1"), status=412))
    assert store(script).settle(decided("U1")) is False
    assert script.done


def test_an_unknown_request_cannot_be_settled() -> None:
    script = Script(Exchange("GET", ENTITY_URL, headers=HEADERS, status=404))
    assert store(script).settle(decided("U1")) is False
    assert script.done


def test_pending_requests_are_queried_by_status_and_listed_soonest_expiry_first() -> None:
    late = pending_request("a-late", expires=NOW + timedelta(hours=8))
    soon = pending_request("b-soon", expires=NOW + timedelta(hours=1))
    url = f"{TABLE}()?%24filter={PENDING_FILTER}"
    reply = {"value": [stored(late), stored(soon)]}
    script = Script(Exchange("GET", url, headers=HEADERS, reply=reply))
    assert store(script).pending() == [soon, late]


def test_pending_due_by_filters_on_the_expiry() -> None:
    soon = pending_request("soon", expires=NOW + timedelta(hours=1))
    due = "%20and%20Expires%20le%20datetime%272026-11-27T14%3A00%3A00.000000Z%27"
    url = f"{TABLE}()?%24filter={PENDING_FILTER}{due}"
    script = Script(Exchange("GET", url, headers=HEADERS, reply={"value": [stored(soon)]}))
    assert store(script).pending(NOW + timedelta(hours=2)) == [soon]
    assert script.done


def test_pending_follows_the_continuation_headers() -> None:
    first = pending_request("first", expires=NOW + timedelta(hours=1))
    second = pending_request("second", expires=NOW + timedelta(hours=2))
    more = {
        "x-ms-continuation-NextPartitionKey": "1!12!YXBwcm92YWw-",
        "x-ms-continuation-NextRowKey": "1!8!c2Vjb25k",
    }
    url = f"{TABLE}()?%24filter={PENDING_FILTER}"
    script = Script(
        Exchange(
            "GET", url, headers=HEADERS, reply={"value": [stored(second)]}, reply_headers=more
        ),
        Exchange(
            "GET",
            f"{url}&NextPartitionKey=1%2112%21YXBwcm92YWw-&NextRowKey=1%218%21c2Vjb25k",
            headers=HEADERS,
            reply={"value": [stored(first)]},
        ),
    )
    assert store(script).pending() == [first, second]
    assert script.done
