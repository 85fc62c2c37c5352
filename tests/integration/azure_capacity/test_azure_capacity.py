"""AzureEnforcer suspends VMs and throttles scale sets through ARM, and resumes both.

Exact request sequences are checked with a Script; the effect of repeated and resumed actions
with the stateful FakeCompute.
"""

from __future__ import annotations

import pytest

from costplane.adapters.azure.enforcer import AzureEnforcer
from costplane.adapters.rest import CloudApiError, RestClient, StaticToken, UnsupportedResource
from costplane.domain.decisions import ActionKind
from costplane.engine.undo import NotReversible
from tests.integration.azure_adapters.azure_support import (
    ARM,
    TAGS,
    VM,
    VMSS,
    arm_error,
    ref,
    tags_resource,
)
from tests.integration.azure_adapters.http_script import TOKEN, Exchange, Script, http
from tests.integration.azure_capacity.fake_compute import FakeCompute
from tests.support.tagging import FixedClock

V = "?api-version=2024-07-01"
SUSPENDED = "costplane-suspended"
THROTTLED = "costplane-throttled"
SCALE_SET = ref(VMSS, "azure.compute.virtualmachinescaleset")
SKU = {"name": "Standard_D2s_v3", "tier": "Standard"}


def enforcer(handler: Script | FakeCompute) -> AzureEnforcer:
    return AzureEnforcer(RestClient(http(handler), StaticToken(TOKEN)), FixedClock())


def read_tags(resource: str, tags: dict[str, str]) -> Exchange:
    return Exchange("GET", f"{ARM}{resource}{TAGS}", reply=tags_resource(resource, tags))


def patch_tags(resource: str, operation: str, tags: dict[str, str]) -> Exchange:
    body = {"operation": operation, "properties": {"tags": tags}}
    return Exchange("PATCH", f"{ARM}{resource}{TAGS}", body=body, reply=tags_resource(resource, {}))


def instance_view(power: str) -> Exchange:
    statuses = [{"code": "ProvisioningState/succeeded"}, {"code": f"PowerState/{power}"}]
    return Exchange("GET", f"{ARM}{VM}/instanceView{V}", reply={"statuses": statuses})


def read_scale_set(capacity: int, etag: str = '"7"') -> Exchange:
    reply = {"name": "vmss-web", "sku": {**SKU, "capacity": capacity}, "etag": etag}
    return Exchange("GET", f"{ARM}{VMSS}{V}", reply=reply)


@pytest.fixture
def fake() -> FakeCompute:
    return FakeCompute(TOKEN)


# Virtual machines: suspend = deallocate, resume = start.


def test_suspend_records_the_power_state_then_deallocates() -> None:
    script = Script(
        read_tags(VM, {"Team": "payments"}),
        instance_view("running"),
        patch_tags(VM, "Merge", {SUSPENDED: "power=running"}),
        Exchange("POST", f"{ARM}{VM}/deallocate{V}", status=202),
    )

    assert enforcer(script).suspend(ref()) == {"power": "running"}
    assert script.done


def test_a_second_suspend_returns_the_record_and_deallocates_again() -> None:
    script = Script(
        read_tags(VM, {SUSPENDED: "power=running"}),
        Exchange("POST", f"{ARM}{VM}/deallocate{V}", status=200),
    )

    assert enforcer(script).suspend(ref()) == {"power": "running"}
    assert script.done


def test_resume_starts_the_vm_then_deletes_the_record() -> None:
    script = Script(
        Exchange("POST", f"{ARM}{VM}/start{V}", status=202),
        read_tags(VM, {SUSPENDED: "power=running", "Team": "payments"}),
        patch_tags(VM, "Delete", {SUSPENDED: "power=running"}),
    )

    enforcer(script).resume(ref(), ActionKind.SUSPEND, {"power": "running"})

    assert script.done


def test_resume_without_the_audit_log_reads_the_record_first() -> None:
    script = Script(
        read_tags(VM, {SUSPENDED: "power=running"}),
        Exchange("POST", f"{ARM}{VM}/start{V}", status=202),
        read_tags(VM, {SUSPENDED: "power=running"}),
        patch_tags(VM, "Delete", {SUSPENDED: "power=running"}),
    )

    enforcer(script).resume(ref(), ActionKind.SUSPEND, {})

    assert script.done


def test_resume_of_a_vm_never_suspended_sends_nothing_but_the_read() -> None:
    script = Script(read_tags(VM, {"Team": "payments"}))

    enforcer(script).resume(ref(), ActionKind.SUSPEND, {})

    assert script.done


def test_suspend_and_resume_bring_a_running_vm_back(fake: FakeCompute) -> None:
    vm = fake.add_vm(VM, Team="payments")
    azure = enforcer(fake)

    undo = azure.suspend(ref())
    assert (vm.power, azure.suspend(ref())) == ("deallocated", undo)
    azure.resume(ref(), ActionKind.SUSPEND, undo)

    assert (vm.power, vm.tags, fake.problems) == ("running", {"Team": "payments"}, [])


def test_a_vm_deallocated_before_the_suspend_stays_deallocated(fake: FakeCompute) -> None:
    vm = fake.add_vm(VM, power="deallocated")
    azure = enforcer(fake)

    undo = azure.suspend(ref())
    azure.resume(ref(), ActionKind.SUSPEND, undo)

    assert (undo, vm.power, vm.tags, fake.problems) == (
        {"power": "deallocated"},
        "deallocated",
        {},
        [],
    )


# Scale sets: throttle = capacity 0, resume = the previous capacity.


def test_throttle_records_the_capacity_then_patches_the_sku_to_zero() -> None:
    script = Script(
        read_tags(VMSS, {}),
        read_scale_set(3),
        patch_tags(VMSS, "Merge", {THROTTLED: "capacity=3"}),
        read_scale_set(3),
        Exchange(
            "PATCH",
            f"{ARM}{VMSS}{V}",
            body={"sku": {**SKU, "capacity": 0}},
            headers={"If-Match": '"7"'},
            status=202,
        ),
    )

    assert enforcer(script).throttle(SCALE_SET) == {"capacity": "3"}
    assert script.done


def test_a_second_throttle_keeps_the_recorded_capacity_and_sends_no_patch() -> None:
    script = Script(read_tags(VMSS, {THROTTLED: "capacity=3"}), read_scale_set(0))

    assert enforcer(script).throttle(SCALE_SET) == {"capacity": "3"}
    assert script.done


def test_a_scale_set_changed_since_it_was_read_is_not_overwritten() -> None:
    stale = arm_error("PreconditionFailed", "The ETag does not match.")
    script = Script(
        read_tags(VMSS, {THROTTLED: "capacity=3"}),
        read_scale_set(3, etag='"7"'),
        Exchange(
            "PATCH",
            f"{ARM}{VMSS}{V}",
            body={"sku": {**SKU, "capacity": 0}},
            headers={"If-Match": '"7"'},
            status=412,
            reply=stale,
        ),
    )

    with pytest.raises(CloudApiError, match="412 PreconditionFailed"):
        enforcer(script).throttle(SCALE_SET)


def test_throttle_twice_then_resume_restores_the_capacity(fake: FakeCompute) -> None:
    scale_set = fake.add_scale_set(VMSS, capacity=3, Team="web")
    azure = enforcer(fake)

    undo = azure.throttle(SCALE_SET)
    assert (scale_set.capacity, azure.throttle(SCALE_SET)) == (0, undo)
    azure.resume(SCALE_SET, ActionKind.THROTTLE, {})

    assert (undo, scale_set.capacity, fake.problems) == ({"capacity": "3"}, 3, [])
    assert fake.resources[VMSS].tags == {"Team": "web"}


def test_throttling_a_scale_set_without_a_sku_is_unsupported() -> None:
    reply = {"name": "vmss-flex", "properties": {"orchestrationMode": "Flexible"}}
    script = Script(read_tags(VMSS, {}), Exchange("GET", f"{ARM}{VMSS}{V}", reply=reply))

    with pytest.raises(UnsupportedResource, match="no sku capacity"):
        enforcer(script).throttle(SCALE_SET)


@pytest.mark.parametrize(
    ("act", "target"),
    [("decommission", ref()), ("throttle", ref()), ("suspend", SCALE_SET)],
)
def test_actions_without_an_azure_meaning_are_refused_before_any_request(
    act: str, target: object
) -> None:
    with pytest.raises(NotReversible, match=f"cannot {act}"):
        getattr(enforcer(Script()), act)(target)


@pytest.mark.parametrize(
    ("kind", "resource_type", "supported"),
    [
        (ActionKind.SUSPEND, "azure.compute.virtualmachine", True),
        (ActionKind.SUSPEND, "azure.compute.virtualmachinescaleset", False),
        (ActionKind.THROTTLE, "azure.compute.virtualmachinescaleset", True),
        (ActionKind.THROTTLE, "azure.compute.virtualmachine", False),
        (ActionKind.DECOMMISSION, "azure.compute.virtualmachine", False),
        (ActionKind.ESCALATE, "azure.compute.virtualmachine", True),
        (ActionKind.SUSPEND, "aws.ec2.instance", False),
    ],
)
def test_supports_suspend_for_vms_and_throttle_for_scale_sets(
    kind: ActionKind, resource_type: str, supported: bool
) -> None:
    assert enforcer(Script()).supports(kind, resource_type) is supported
