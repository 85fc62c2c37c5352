"""The AI levers wired into the planes: a cloud plane pulls them only with an admin key, through
its own HTTP client, and keeps their undo records beside its claims; the local plane records
the lever each action stands for, with the same "not possible" as the vendors."""

from __future__ import annotations

import httpx
import pytest

from costplane.adapters.anthropic.enforcer import AnthropicEnforcer
from costplane.adapters.local.plane import LocalEnforcer, LocalInventory
from costplane.adapters.openai.enforcer import OpenAiEnforcer
from costplane.adapters.vendor_levers import CannotUndo
from costplane.config import Settings
from costplane.domain.decisions import Action, ActionKind, ActionStatus, Decision, Outcome
from costplane.domain.events import Provider
from costplane.engine.executor import execute
from costplane.planes.azure import AzurePlane
from costplane.planes.gcp import GcpPlane
from tests.integration.ai_levers.support import OPENAI_KEY, Script, ai_ref
from tests.integration.ai_levers.test_openai_levers import LIMITS_READ, LOWERED, RESTORED
from tests.support.tagging import NOW

PROJECT = ai_ref(Provider.OPENAI, "proj_abc", "proj_abc", "openai.project")
OPENAI_KEY_REF = ai_ref(Provider.OPENAI, "proj_abc", "key_abc", "openai.api-key")
WORKSPACE = ai_ref(Provider.ANTHROPIC, "wrkspc_01", "wrkspc_01", "anthropic.workspace")
PLANES = [AzurePlane, GcpPlane]


@pytest.fixture(autouse=True)
def cloud_tokens(monkeypatch):
    monkeypatch.setenv("COSTPLANE_AZURE_TOKEN", "azure-token")
    monkeypatch.setenv("COSTPLANE_GCP_TOKEN", "gcp-token")


@pytest.mark.parametrize("plane", PLANES)
def test_without_an_admin_key_a_cloud_plane_has_no_ai_vendor_ports(plane, tmp_path):
    ports = plane(Settings(lake=tmp_path)).runtime.ports

    assert Provider.OPENAI not in ports
    assert Provider.ANTHROPIC not in ports


@pytest.mark.parametrize("plane", PLANES)
def test_each_configured_admin_key_gives_its_vendor_levers(plane, tmp_path, monkeypatch):
    monkeypatch.setenv("COSTPLANE_OPENAI_ADMIN_KEY", OPENAI_KEY)
    monkeypatch.setenv("COSTPLANE_ANTHROPIC_ADMIN_KEY", "sk-ant-admin01-test")

    ports = plane(Settings(lake=tmp_path)).runtime.ports

    assert isinstance(ports[Provider.OPENAI].enforcer, OpenAiEnforcer)
    assert isinstance(ports[Provider.ANTHROPIC].enforcer, AnthropicEnforcer)
    assert ports[Provider.OPENAI].inventory.get_tags(PROJECT) == {}


def test_a_throttle_on_one_plane_instance_is_resumed_by_the_next_from_the_state_file(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("COSTPLANE_OPENAI_ADMIN_KEY", OPENAI_KEY)
    monkeypatch.setenv("COSTPLANE_AI_THROTTLE_PERCENT", "10")
    script = Script(*LIMITS_READ, *LOWERED, *RESTORED, token=OPENAI_KEY)

    def plane() -> GcpPlane:
        return GcpPlane(Settings(lake=tmp_path), httpx.MockTransport(script))

    plane().runtime.ports[Provider.OPENAI].enforcer.throttle(PROJECT)
    plane().runtime.ports[Provider.OPENAI].enforcer.resume(PROJECT, ActionKind.THROTTLE, {})

    assert script.done


def violation(kind: ActionKind) -> Decision:
    return Decision(
        decision_id="d-ai-1",
        policy="ai-budget",
        outcome=Outcome.VIOLATION,
        actions=[Action(kind=kind)],
        dry_run=False,
        decided_at=NOW,
    )


class Quiet:
    def notify(self, decision: Decision) -> None:
        pass


def test_the_local_plane_audits_the_lever_a_vendor_throttle_stands_for():
    decision = violation(ActionKind.THROTTLE)

    execute(decision, WORKSPACE, LocalEnforcer(LocalInventory()), Quiet())

    action = decision.actions[0]
    assert action.status is ActionStatus.DONE
    assert action.params["undo"] == {
        "in_service": "true",
        "lever": "workspace rate limits lowered; Anthropic applies it within an hour",
    }


def test_the_local_plane_refuses_to_resume_what_the_vendor_cannot_undo():
    enforcer = LocalEnforcer(LocalInventory())
    state = enforcer.decommission(OPENAI_KEY_REF)

    with pytest.raises(CannotUndo, match="a deleted key cannot be restored"):
        enforcer.resume(OPENAI_KEY_REF, ActionKind.DECOMMISSION, state)


@pytest.mark.parametrize(
    ("kind", "resource_type", "supported"),
    [
        (ActionKind.SUSPEND, "openai.api-key", False),
        (ActionKind.TAG, "anthropic.workspace", False),
        (ActionKind.SUSPEND, "anthropic.api-key", True),
        (ActionKind.STOP, "aws.ec2.instance", True),
    ],
)
def test_the_local_plane_has_the_vendor_levers_and_no_more(kind, resource_type, supported):
    assert LocalEnforcer(LocalInventory()).supports(kind, resource_type) is supported
