"""AzureInventory and AzureEnforcer speak ARM: the exact requests, and what their answers mean."""

from __future__ import annotations

import logging

import httpx
import pytest

from costplane.adapters.azure.enforcer import AzureEnforcer
from costplane.adapters.azure.inventory import AzureInventory
from costplane.adapters.rest import (
    CloudApiError,
    CloudUnreachable,
    RestClient,
    StaticToken,
    UnsupportedResource,
)
from costplane.domain.decisions import ActionKind
from costplane.engine.ports import ResourceGone
from tests.integration.azure_adapters.azure_support import (
    ARM,
    ASYNC_OP,
    RG,
    STORAGE,
    TAGS,
    VM,
    VMSS,
    arm_error,
    ref,
    tags_resource,
)
from tests.integration.azure_adapters.http_script import TOKEN, Exchange, Script, http, rest
from tests.support.tagging import FixedClock


def enforcer(script: Script) -> AzureEnforcer:
    return AzureEnforcer(rest(script), FixedClock())


def test_get_tags_reads_the_tags_api_at_the_resource_scope() -> None:
    tags = {"CostCenter": "CC-1001", "Team": "payments"}
    script = Script(Exchange("GET", f"{ARM}{VM}{TAGS}", reply=tags_resource(VM, tags)))
    assert AzureInventory(rest(script)).get_tags(ref()) == tags
    assert script.done


def test_get_tags_of_an_untagged_resource_is_empty() -> None:
    reply = {**tags_resource(VM, {}), "properties": {}}
    script = Script(Exchange("GET", f"{ARM}{VM}{TAGS}", reply=reply))
    assert AzureInventory(rest(script)).get_tags(ref()) == {}


def test_get_tags_of_a_resource_group_uses_the_same_api() -> None:
    script = Script(Exchange("GET", f"{ARM}{RG}{TAGS}", reply=tags_resource(RG, {"Team": "data"})))
    group = ref(RG, "azure.resources.resourcegroup")
    assert AzureInventory(rest(script)).get_tags(group) == {"Team": "data"}


def test_get_tags_of_a_deleted_resource_raises_resource_gone() -> None:
    error = arm_error("ResourceNotFound", "The Resource 'vm-build-01' was not found.")
    script = Script(Exchange("GET", f"{ARM}{VM}{TAGS}", status=404, reply=error))
    with pytest.raises(ResourceGone, match="vm-build-01"):
        AzureInventory(rest(script)).get_tags(ref())


def test_a_forbidden_read_names_the_resource_the_status_and_the_code() -> None:
    error = arm_error("AuthorizationFailed", "The client does not have authorization.")
    script = Script(Exchange("GET", f"{ARM}{VM}{TAGS}", status=403, reply=error))
    with pytest.raises(CloudApiError) as raised:
        AzureInventory(rest(script)).get_tags(ref())
    assert (raised.value.status, raised.value.code, raised.value.resource) == (
        403,
        "AuthorizationFailed",
        VM,
    )
    assert str(raised.value) == (
        f"GET {ARM}{VM}{TAGS} failed with HTTP 403 AuthorizationFailed: "
        "The client does not have authorization."
    )


def test_no_answer_at_all_is_an_error_naming_the_call() -> None:
    def unreachable(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectTimeout("timed out", request=request)

    inventory = AzureInventory(RestClient(http(unreachable), StaticToken(TOKEN)))
    with pytest.raises(CloudUnreachable) as raised:
        inventory.get_tags(ref())
    assert str(raised.value) == f"GET {ARM}{VM}{TAGS} got no answer: ConnectTimeout: timed out"


def test_an_id_that_is_not_an_arm_id_is_refused_before_any_request() -> None:
    script = Script()
    with pytest.raises(UnsupportedResource, match="not an Azure Resource Manager id"):
        AzureInventory(rest(script)).get_tags(ref("vm-build-01"))


def test_tag_merges_through_a_patch_at_the_resource_scope() -> None:
    body = {"operation": "Merge", "properties": {"tags": {"CostCenter": "CC-1001"}}}
    merged = tags_resource(VM, {"CostCenter": "CC-1001", "Team": "payments"})
    script = Script(Exchange("PATCH", f"{ARM}{VM}{TAGS}", body=body, reply=merged))
    enforcer(script).tag(ref(), {"CostCenter": "CC-1001"})
    assert script.done


def test_untag_deletes_the_keys_present_by_name_and_value_ignoring_case() -> None:
    current = {"costplane-op": "stop-20261128t0615z", "Team": "payments"}
    body = {"operation": "Delete", "properties": {"tags": {"costplane-op": "stop-20261128t0615z"}}}
    script = Script(
        Exchange("GET", f"{ARM}{VM}{TAGS}", reply=tags_resource(VM, current)),
        Exchange("PATCH", f"{ARM}{VM}{TAGS}", body=body, reply=tags_resource(VM, {"Team": "x"})),
    )
    enforcer(script).untag(ref(), ["CostPlane-Op"])
    assert script.done


def test_untag_of_keys_the_resource_does_not_carry_sends_no_patch() -> None:
    script = Script(Exchange("GET", f"{ARM}{VM}{TAGS}", reply=tags_resource(VM, {"Team": "x"})))
    enforcer(script).untag(ref(), ["costplane-op"])
    assert script.done


def test_stop_deallocates_a_virtual_machine_and_logs_the_async_operation(
    caplog: pytest.LogCaptureFixture,
) -> None:
    accepted = {"Azure-AsyncOperation": ASYNC_OP, "Location": ASYNC_OP, "Retry-After": "10"}
    script = Script(
        Exchange(
            "POST",
            f"{ARM}{VM}/deallocate?api-version=2024-07-01",
            status=202,
            reply_headers=accepted,
        )
    )
    with caplog.at_level(logging.INFO, logger="costplane"):
        enforcer(script).stop(ref())
    assert script.done
    assert ASYNC_OP in caplog.text


def test_stop_deallocates_every_instance_of_a_scale_set() -> None:
    url = f"{ARM}{VMSS}/deallocate?api-version=2024-07-01"
    script = Script(Exchange("POST", url, status=202))
    enforcer(script).stop(ref(VMSS, "azure.compute.virtualmachinescaleset"))
    assert script.done


def test_a_refused_deallocation_is_an_error_naming_the_vm() -> None:
    error = arm_error("OperationNotAllowed", "Operation 'deallocate' is not allowed.")
    url = f"{ARM}{VM}/deallocate?api-version=2024-07-01"
    script = Script(Exchange("POST", url, status=409, reply=error))
    with pytest.raises(
        CloudApiError, match=r"vm-build-01/deallocate.* failed with HTTP 409 OperationNotAllowed"
    ):
        enforcer(script).stop(ref())


def test_stop_of_a_storage_account_is_unsupported_and_sends_nothing() -> None:
    script = Script()
    with pytest.raises(UnsupportedResource, match=r"cannot stop azure\.storage\.storageaccount"):
        enforcer(script).stop(ref(STORAGE, "azure.storage.storageaccount"))


def test_quarantine_tags_the_vm_with_when_then_deallocates_it() -> None:
    tags = {"costplane-quarantined": "quarantine-20261127t1200z"}
    script = Script(
        Exchange(
            "PATCH",
            f"{ARM}{VM}{TAGS}",
            body={"operation": "Merge", "properties": {"tags": tags}},
            reply=tags_resource(VM, tags),
        ),
        Exchange("POST", f"{ARM}{VM}/deallocate?api-version=2024-07-01", status=202),
    )
    enforcer(script).quarantine(ref())
    assert script.done


@pytest.mark.parametrize(
    ("kind", "resource_type", "supported"),
    [
        (ActionKind.TAG, "azure.storage.storageaccount", True),
        (ActionKind.MARK_FOR_OP, "azure.resources.resourcegroup", True),
        (ActionKind.UNTAG, "azure.sql.server.database", True),
        (ActionKind.STOP, "azure.compute.virtualmachine", True),
        (ActionKind.QUARANTINE, "azure.compute.virtualmachinescaleset", True),
        (ActionKind.STOP, "azure.storage.storageaccount", False),
        (ActionKind.QUARANTINE, "azure.resources.resourcegroup", False),
        (ActionKind.TAG, "gcp.compute.instance", False),
    ],
)
def test_supports_tagging_any_arm_resource_and_stopping_compute(
    kind: ActionKind, resource_type: str, supported: bool
) -> None:
    assert enforcer(Script()).supports(kind, resource_type) is supported
