"""Fixtures shared by every test layer: paths to real data, and an AWS endpoint on this machine.

Real data lives in the repository (events/, tests/data/, each folder with a SOURCES.md). The few
files whose licence forbids copying them are read in place from ../shared/data, and only by tests
marked `@pytest.mark.read_in_place(<path under ../shared/data>)`: when such a file is missing, the
test fails if the `CI` environment variable is set, and is skipped, saying why, otherwise.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# pytest-xdist's workers inherit COLUMNS=80; the command line's tables honour COLUMNS when piped,
# so the specifications read them at the piped default width unless a test sets one.
os.environ.pop("COLUMNS", None)

REPO = Path(__file__).resolve().parents[1]
EVENTS = REPO / "events"
TEST_DATA = REPO / "tests" / "data"
SHARED_DATA = REPO.parent / "shared" / "data"

READ_IN_PLACE: dict[str, str] = {
    "aws/cur2_columns.csv": "AWS documentation (licence not stated on page)",
    "ai/aws_bedrock_cur2_iam_principal_example_rows.csv": "AWS blog content (licence not stated)",
    "aws/cur2_synthetic_fixture_elastic_integrations.csv": "Elastic License 2.0",
    "gcp/bigquery_billing_export_v1_sample.ndjson": "Elastic License 2.0",
    "events/aws/aws-budgets-notification-sns-lambda-event.json": "no license file seen",
    "events/aws/aws-cloudtrail-ec2-createnatgateway-record.json": (
        "BSD-style per file header, no LICENSE file seen"
    ),
    "events/aws/aws-cost-anomaly-detection-anomaly-detected-eventbridge.json": (
        "AWS documentation, license not stated"
    ),
    "anthropic/api_example_usage_report_messages.json": (
        "Anthropic documentation (c) Anthropic; short example quoted"
    ),
    "anthropic/api_example_cost_report.json": (
        "Anthropic documentation (c) Anthropic; short example quoted"
    ),
}
"""The files under ../shared/data that may not be copied into the repository, each with its
licence as ../shared/data/SOURCES.md states it. Every other file a test reads is in the repo."""


def in_place(relative: str) -> Path:
    """The licence-restricted file `relative` (a key of READ_IN_PLACE) under ../shared/data."""
    if relative not in READ_IN_PLACE:
        raise ValueError(f"{relative} may be copied: read it from events/ or tests/data/")
    return SHARED_DATA / relative


def in_place_events(cloud: str) -> list[str]:
    """The READ_IN_PLACE keys of `cloud`'s event payloads (none of them is in events/)."""
    return sorted(r for r in READ_IN_PLACE if r.startswith(f"events/{cloud}/"))


def in_ci() -> bool:
    """Whether the `CI` environment variable is set (to anything but empty, 0, false or no)."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "read_in_place(*paths): the test reads these licence-restricted files (keys of "
        "tests/conftest.py's READ_IN_PLACE) from ../shared/data",
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Fail (under CI) or skip (elsewhere) a test whose read-in-place files are missing."""
    relatives = [p for marker in item.iter_markers("read_in_place") for p in marker.args]
    missing = [r for r in relatives if not in_place(r).is_file()]
    if not missing:
        return
    message = "licence-restricted data missing: " + "; ".join(
        f"{in_place(r)} ({READ_IN_PLACE[r]}; read in place, never copied into the repository)"
        for r in missing
    )
    if in_ci():
        pytest.fail(f"{message}. CI is set: a missing ../shared fails the run", pytrace=False)
    pytest.skip(message)


def read_in_place_marks(path: Path) -> list[pytest.MarkDecorator]:
    """The `read_in_place` mark a test reading `path` needs: none unless it is in ../shared/data."""
    if not path.is_relative_to(SHARED_DATA):
        return []
    return [pytest.mark.read_in_place(path.relative_to(SHARED_DATA).as_posix())]


def in_place_param(relative: str, id: str | None = None) -> pytest.ParameterSet:
    """A parameter of the read-in-place file `relative`, marked as such."""
    path = in_place(relative)
    return pytest.param(path, marks=read_in_place_marks(path), id=id or relative)


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """A real HTTP moto server on a free loopback port.

    `mock_aws` does not intercept pyarrow's S3 client, and a server exercises the same HTTP
    path as production; every AWS test points its clients at this endpoint.
    """
    from moto.server import ThreadedMotoServer

    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def aws_env(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point boto3 (and anything reading AWS_ENDPOINT_URL) at the moto server, then reset it;
    Bedrock's control plane, which moto does not emulate, at tests.support.fake_bedrock."""
    import urllib.request

    from tests.support import fake_bedrock

    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("AWS_ENDPOINT_URL_BEDROCK", fake_bedrock.endpoint())
    fake_bedrock.FAKE.reset()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    request = urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(request).close()
    return moto_endpoint


@pytest.fixture
def serialised_moto(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto's DynamoDB calls one at a time, as DynamoDB checks a write's condition and makes it
    in one step, and applies a transaction all at once (moto's server threads could interleave
    between the two, scan a table while another writes to it, or roll a cancelled transaction
    back over another's writes)."""
    from moto.dynamodb.models import DynamoDBBackend

    lock = threading.RLock()
    for name in (
        "get_item",
        "put_item",
        "delete_item",
        "update_item",
        "scan",
        "query",
        "transact_write_items",
    ):
        method = getattr(DynamoDBBackend, name)

        def locked(*args: Any, __method: Any = method, **kwargs: Any) -> Any:
            with lock:
                return __method(*args, **kwargs)

        monkeypatch.setattr(DynamoDBBackend, name, locked)


@pytest.fixture
def iam_session(monkeypatch: pytest.MonkeyPatch) -> Any:
    """AWS calls recorded and IAM-checked on the moto server (tests.support.moto_iam)."""
    from tests.support.moto_iam import watch

    return watch(monkeypatch)
