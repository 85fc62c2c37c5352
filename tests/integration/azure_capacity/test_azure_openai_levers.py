"""Azure OpenAI's levers at the HTTP layer: a deployment's capacity lowered and restored, an
account's key auth turned off and back, and a deployment's owner tags over its account's.

Paths, verbs and bodies are those of the Cognitive Services management REST reference, api-version
2024-10-01 (Deployments_Get, Deployments_CreateOrUpdate, Accounts_Get, Accounts_Update); the
exact sequence of requests is checked with a Script.
"""

from __future__ import annotations

import pytest

from costplane.adapters.azure.enforcer import AzureEnforcer
from costplane.adapters.azure.graph_inventory import AzureGraphInventory, tags_query
from costplane.adapters.rest import RestClient, StaticToken
from costplane.domain.decisions import ActionKind
from costplane.engine.ports import ResourceGone
from tests.integration.azure_adapters.azure_support import (
    ARM,
    SUB,
    arm_error,
)
from tests.integration.azure_adapters.http_script import TOKEN, Exchange, Script, http, rest
from tests.integration.azure_capacity.openai_arm import (
    ACCOUNT,
    ACCOUNT_ID,
    DEPLOYMENT,
    DEPLOYMENT_ID,
    RECORD,
    SUSPENDED,
    V,
    account_tags,
    patch_account,
    patch_account_tags,
    put_deployment,
    read_account,
    read_deployment,
)
from tests.support.tagging import FixedClock

GRAPH = f"{ARM}/providers/Microsoft.ResourceGraph/resources?api-version=2022-10-01"


def enforcer(script: Script) -> AzureEnforcer:
    return AzureEnforcer(RestClient(http(script), StaticToken(TOKEN)), FixedClock())


# Deployments: throttle = capacity 1, resume = the capacity recorded.


def test_throttle_records_the_capacity_on_the_account_then_puts_the_deployment_at_one() -> None:
    script = Script(
        account_tags({"Team": "search"}),
        read_deployment(30),
        patch_account_tags("Merge", {RECORD: "capacity=30"}),
        read_deployment(30),
        put_deployment(1),
    )

    assert enforcer(script).throttle(DEPLOYMENT) == {"capacity": "30"}
    assert script.done


def test_a_second_throttle_keeps_the_first_record_and_puts_nothing() -> None:
    script = Script(account_tags({RECORD: "capacity=30"}), read_deployment(1))

    assert enforcer(script).throttle(DEPLOYMENT) == {"capacity": "30"}
    assert script.done


def test_resume_puts_the_previous_capacity_back_then_drops_the_record() -> None:
    script = Script(
        read_deployment(1),
        put_deployment(30),
        account_tags({RECORD: "capacity=30", "Team": "search"}),
        patch_account_tags("Delete", {RECORD: "capacity=30"}),
    )

    enforcer(script).resume(DEPLOYMENT, ActionKind.THROTTLE, {"capacity": "30"})

    assert script.done


def test_resume_without_the_audit_log_reads_the_record_on_the_account() -> None:
    script = Script(
        account_tags({RECORD: "capacity=30"}),
        read_deployment(1),
        put_deployment(30),
        account_tags({RECORD: "capacity=30"}),
        patch_account_tags("Delete", {RECORD: "capacity=30"}),
    )

    enforcer(script).resume(DEPLOYMENT, ActionKind.THROTTLE, {})

    assert script.done


# Accounts: suspend = key auth off, resume = as it was.


def test_suspend_records_key_auth_then_disables_it() -> None:
    script = Script(
        account_tags({}),
        read_account(None),
        patch_account_tags("Merge", {SUSPENDED: "local=enabled"}),
        read_account(None),
        patch_account(True),
    )

    assert enforcer(script).suspend(ACCOUNT) == {"local": "enabled"}
    assert script.done


def test_resume_enables_key_auth_again() -> None:
    script = Script(
        read_account(True),
        patch_account(False),
        account_tags({SUSPENDED: "local=enabled"}),
        patch_account_tags("Delete", {SUSPENDED: "local=enabled"}),
    )

    enforcer(script).resume(ACCOUNT, ActionKind.SUSPEND, {"local": "enabled"})

    assert script.done


def test_an_account_already_without_keys_is_left_without_them() -> None:
    script = Script(
        account_tags({}),
        read_account(True),
        patch_account_tags("Merge", {SUSPENDED: "local=disabled"}),
        read_account(True),
        read_account(True),
        account_tags({SUSPENDED: "local=disabled"}),
        patch_account_tags("Delete", {SUSPENDED: "local=disabled"}),
    )
    azure = enforcer(script)

    undo = azure.suspend(ACCOUNT)
    azure.resume(ACCOUNT, ActionKind.SUSPEND, undo)

    assert script.done


@pytest.mark.parametrize(
    ("kind", "resource_type"),
    [
        (ActionKind.THROTTLE, "azure.cognitiveservices.account.deployment"),
        (ActionKind.SUSPEND, "azure.cognitiveservices.account"),
    ],
)
def test_the_enforcer_supports_each_lever_on_its_resource_type(kind, resource_type) -> None:
    assert enforcer(Script()).supports(kind, resource_type)


# A deployment's tags: its own over its account's.


def test_a_deployment_has_its_own_tags_over_its_accounts() -> None:
    account_row = {"id": ACCOUNT_ID, "tags": {"Team": "search", "CostCenter": "CC-1001"}}
    query = {
        "subscriptions": [SUB],
        "query": tags_query(ACCOUNT),
        "options": {"resultFormat": "objectArray"},
    }
    script = Script(
        read_deployment(30, tags={"Team": "ads"}),
        Exchange("POST", GRAPH, body=query, reply={"count": 1, "data": [account_row]}),
    )

    tags = AzureGraphInventory(rest(script)).get_tags(DEPLOYMENT)

    assert tags == {"Team": "ads", "CostCenter": "CC-1001"}
    assert script.done


def test_a_deleted_deployment_is_gone() -> None:
    missing = arm_error("DeploymentNotFound", "The deployment does not exist.")
    script = Script(Exchange("GET", f"{ARM}{DEPLOYMENT_ID}{V}", status=404, reply=missing))

    with pytest.raises(ResourceGone):
        AzureGraphInventory(rest(script)).get_tags(DEPLOYMENT)
