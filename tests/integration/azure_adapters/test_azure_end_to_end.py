"""The tag enforcer on the Azure plane: an untagged VM ends tagged and deallocated, once."""

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
from costplane.domain.taxonomy import Defaults, Scope
from costplane.planes.azure import AzurePlane
from costplane.planes.base import Runtime
from costplane.tagging.loader import load_taxonomy
from costplane.tagging.service import TagEnforcer
from tests.integration.azure_adapters.azure_support import SUB, VM
from tests.integration.azure_adapters.fake_azure import FakeAzure, FakeResource
from tests.support.tagging import enforcing_at_once

TOKEN = "e2e-arm-token"
ACCOUNT = "stcostplane"


def enforcer(runtime: Runtime) -> TagEnforcer:
    """The bundled example, enforcing at once, with a subscription default to remediate."""
    example = enforcing_at_once(load_taxonomy(EXAMPLE_TAXONOMY))
    inherited = Defaults(scope=Scope(provider="azure", account=SUB), tags={"CostCenter": "CC-1001"})
    rules = example.model_copy(update={"defaults": (*example.defaults, inherited)})
    return tag_enforcer_on(runtime, rules, source="azure")


@pytest.fixture
def fake() -> FakeAzure:
    azure = FakeAzure(TOKEN, f"{ACCOUNT}.table.core.windows.net")
    azure.resources[VM] = FakeResource()
    return azure


@pytest.fixture
def runtime(fake: FakeAzure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Runtime:
    monkeypatch.setenv("COSTPLANE_AZURE_TOKEN", TOKEN)
    monkeypatch.setenv("COSTPLANE_AZURE_STATE_ACCOUNT", ACCOUNT)
    return AzurePlane(Settings(lake=tmp_path), httpx.MockTransport(fake)).runtime


def vm_created(event_time: datetime) -> ResourceEvent:
    return ResourceEvent(
        provider=Provider.AZURE,
        event_id="4db48cba-50a2-455a-93b4-de41a3b5b7f6",
        event_name="Microsoft.Compute/virtualMachines/write",
        event_time=event_time,
        account=SUB,
        region="westeurope",
        resource_id=VM,
        resource_type="azure.compute.virtualmachine",
        operation=Operation.CREATE,
        actor="alice@contoso.com",
        tags=None,
    )


def test_an_untagged_vm_is_remediated_and_deallocated_once(
    fake: FakeAzure, runtime: Runtime
) -> None:
    tag_enforcer = enforcer(runtime)
    event = vm_created(datetime.now(UTC))

    first = tag_enforcer.handle_event(event)
    sent = len(fake.requests)
    second = tag_enforcer.handle_event(event)

    assert fake.problems == []
    assert first.outcome is Outcome.VIOLATION
    assert first.missing_tags == ["Team", "Environment"]
    assert [(a.kind, a.status) for a in first.actions] == [
        (ActionKind.TAG, ActionStatus.DONE),
        (ActionKind.NOTIFY, ActionStatus.DONE),
        (ActionKind.STOP, ActionStatus.DONE),
    ]
    assert fake.resources[VM] == FakeResource(tags={"CostCenter": "CC-1001"}, power="deallocated")
    assert second.outcome is Outcome.SKIPPED
    table = f"https://{ACCOUNT}.table.core.windows.net/costplane"
    assert [r.split("(")[0] for r in fake.requests[sent:]] == [f"POST {table}", f"GET {table}"]
    assert [d.decision_id for d in runtime.state.recent_decisions(10)] == [first.decision_id]


def test_a_vm_deleted_before_the_read_is_skipped_without_action(
    fake: FakeAzure, runtime: Runtime
) -> None:
    del fake.resources[VM]
    decision = enforcer(runtime).handle_event(vm_created(datetime.now(UTC)))
    assert (decision.outcome, decision.reason) == (Outcome.SKIPPED, "resource no longer exists")
    assert fake.problems == []


def test_without_a_state_account_the_plane_keeps_its_state_in_sqlite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COSTPLANE_AZURE_TOKEN", TOKEN)
    monkeypatch.delenv("COSTPLANE_AZURE_STATE_ACCOUNT", raising=False)
    runtime = AzurePlane(Settings(lake=tmp_path)).runtime
    assert isinstance(runtime.state, RecordStateStore)
    assert isinstance(runtime.state.claims, SqliteRecords)
    assert (tmp_path / "state.db").exists()
    assert set(runtime.ports) == {Provider.AZURE}


def test_with_an_audit_account_decisions_go_to_its_table_and_claims_stay_in_the_state_table(
    fake: FakeAzure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    audit = FakeAzure(TOKEN, "stcostplaneaudit.table.core.windows.net")
    both = {fake.table_host: fake, audit.table_host: audit}
    monkeypatch.setenv("COSTPLANE_AZURE_TOKEN", TOKEN)
    monkeypatch.setenv("COSTPLANE_AZURE_STATE_ACCOUNT", ACCOUNT)
    monkeypatch.setenv("COSTPLANE_AZURE_AUDIT_ACCOUNT", "stcostplaneaudit")
    transport = httpx.MockTransport(lambda request: both.get(request.url.host, fake)(request))
    runtime = AzurePlane(Settings(lake=tmp_path), transport).runtime

    decision = enforcer(runtime).handle_event(vm_created(datetime.now(UTC)))

    assert fake.problems == audit.problems == []
    assert {key[0] for key in audit.entities} == {"decision"}
    assert {key[0] for key in fake.entities} == {"claim"}
    assert audit.requests[0].startswith(
        "POST https://stcostplaneaudit.table.core.windows.net/decisions"
    )
    assert [d.decision_id for d in runtime.state.recent_decisions(10)] == [decision.decision_id]


def test_an_events_missing_tags_are_read_through_resource_graph(
    fake: FakeAzure, runtime: Runtime
) -> None:
    enforcer(runtime).handle_event(vm_created(datetime.now(UTC)))

    arm = [r.split("?")[0] for r in fake.requests if "//management.azure.com/" in r]
    assert arm == [
        "POST https://management.azure.com/providers/Microsoft.ResourceGraph/resources",
        f"PATCH https://management.azure.com{VM}/providers/Microsoft.Resources/tags/default",
        f"POST https://management.azure.com{VM}/deallocate",
    ]
