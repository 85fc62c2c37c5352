"""The tag enforcer on the GCP plane: an unlabelled instance ends labelled and stopped, once."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from costplane.adapters.local.sqlite import SqliteRecords
from costplane.adapters.state_records import RecordStateStore
from costplane.bootstrap import EXAMPLE_TAXONOMY, tag_enforcer_on
from costplane.config import Settings
from costplane.domain.decisions import ActionKind, ActionStatus, Outcome
from costplane.domain.events import Operation, Provider, ResourceEvent
from costplane.planes.base import Runtime
from costplane.planes.gcp import GcpPlane
from costplane.tagging.loader import load_taxonomy
from costplane.tagging.service import TagEnforcer
from tests.integration.gcp_adapters.fake_google import FakeGoogle, FakeInstance
from tests.integration.gcp_adapters.gcp_support import INSTANCE, PROJECT
from tests.support.tagging import enforcing_at_once

TOKEN = "e2e-gcp-token"


@pytest.fixture
def fake() -> FakeGoogle:
    google = FakeGoogle(TOKEN)
    google.instances[INSTANCE] = FakeInstance(labels={"team": "payments"})
    return google


@pytest.fixture
def runtime(fake: FakeGoogle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    monkeypatch.setenv("COSTPLANE_GCP_TOKEN", TOKEN)
    monkeypatch.setenv("COSTPLANE_GCP_STATE_PROJECT", PROJECT)
    return GcpPlane(Settings(lake=tmp_path), httpx.MockTransport(fake)).runtime


def instance_inserted(event_time: datetime) -> ResourceEvent:
    return ResourceEvent(
        provider=Provider.GCP,
        event_id="operation-1764244500000-62b4c1d2e3f4a",
        event_name="v1.compute.instances.insert",
        event_time=event_time,
        account=PROJECT,
        region="us-central1",
        resource_id=INSTANCE,
        resource_type="gcp.compute.instance",
        operation=Operation.CREATE,
        actor="alice@example.com",
        tags=None,
    )


def enforcer(runtime: Runtime) -> TagEnforcer:
    """The bundled example (it inherits `environment: dev` on GCP), enforcing at once."""
    return tag_enforcer_on(runtime, enforcing_at_once(load_taxonomy(EXAMPLE_TAXONOMY)), "gcp")


def test_an_unlabelled_instance_is_remediated_and_stopped_once(
    fake: FakeGoogle, runtime: Runtime
) -> None:
    tag_enforcer = enforcer(runtime)
    event = instance_inserted(datetime.now(UTC))

    first = tag_enforcer.handle_event(event)
    sent = len(fake.requests)
    second = tag_enforcer.handle_event(event)

    assert fake.problems == []
    assert first.outcome is Outcome.VIOLATION
    assert first.missing_tags == ["CostCenter"]
    assert [(a.kind, a.status) for a in first.actions] == [
        (ActionKind.TAG, ActionStatus.DONE),
        (ActionKind.NOTIFY, ActionStatus.DONE),
        (ActionKind.STOP, ActionStatus.DONE),
    ]
    assert fake.instances[INSTANCE].labels == {"team": "payments", "environment": "dev"}
    assert fake.instances[INSTANCE].status == "TERMINATED"
    assert second.outcome is Outcome.SKIPPED
    assert all("firestore.googleapis.com" in request for request in fake.requests[sent:])
    assert [d.decision_id for d in runtime.state.recent_decisions(10)] == [first.decision_id]


def test_an_instance_deleted_before_the_read_is_skipped_without_action(
    fake: FakeGoogle, runtime: Runtime
) -> None:
    del fake.instances[INSTANCE]
    decision = enforcer(runtime).handle_event(instance_inserted(datetime.now(UTC)))
    assert (decision.outcome, decision.reason) == (Outcome.SKIPPED, "resource no longer exists")
    assert fake.problems == []


def test_without_a_state_project_the_plane_keeps_its_state_in_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COSTPLANE_GCP_TOKEN", TOKEN)
    monkeypatch.delenv("COSTPLANE_GCP_STATE_PROJECT", raising=False)
    runtime = GcpPlane(Settings(lake=tmp_path)).runtime
    assert isinstance(runtime.state, RecordStateStore)
    assert isinstance(runtime.state.claims, SqliteRecords)
    assert (tmp_path / "state.db").exists()
    assert set(runtime.ports) == {Provider.GCP}
