"""`costplane ai admission serve`'s server on a loopback port: a gateway's reserve and settle
calls over real HTTP, answered as the endpoint answers them."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import orjson
import pytest

from costplane.adapters.admission_http import AdmissionEndpoint
from costplane.adapters.local.admission_ledger import SqliteAdmissionLedger
from costplane.adapters.local.admission_server import admission_server
from tests.support.admission_race import WORST, admission, racing_request


@pytest.fixture
def url(tmp_path: Path) -> Iterator[str]:
    service = admission(SqliteAdmissionLedger(tmp_path / "state.db"), WORST)
    server = admission_server(AdmissionEndpoint(service), "127.0.0.1", 0)
    serving = threading.Thread(target=server.serve_forever)
    serving.start()
    host, port = server.server_address[:2]
    yield f"http://{host!s}:{port}"
    server.shutdown()
    serving.join()
    server.server_close()


def post(url: str, body: bytes) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, orjson.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, orjson.loads(error.read())


def test_reserve_then_settle_over_http(url: str) -> None:
    status, admitted = post(f"{url}/reserve", racing_request("gw", 1).model_dump_json().encode())
    assert (status, admitted["admitted"]) == (200, True)
    settle = {"reservation_id": "gw-1", "usage": {"tokens": {"input": 1000, "output": 10}}}
    status, settled = post(f"{url}/settle", orjson.dumps(settle))
    assert (status, settled["cost"]) == (200, "0.00015600")


def test_a_refusal_is_a_402_over_http(url: str) -> None:
    post(f"{url}/reserve", racing_request("gw", 1).model_dump_json().encode())
    status, refused = post(f"{url}/reserve", racing_request("gw", 2).model_dump_json().encode())
    assert (status, refused["reason"], refused["budget"]) == (402, "over-budget", "ai-race")


def test_bad_json_is_a_400_over_http(url: str) -> None:
    status, answer = post(f"{url}/reserve", b"{")
    assert status == 400
    assert answer["error"].startswith("body is not JSON")
