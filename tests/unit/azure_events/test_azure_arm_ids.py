"""ARM ids in Event Grid subjects: subscription, full id and a normalised resource type."""

from __future__ import annotations

import pytest

from costplane.adapters.azure.eventgrid_arm import parse_arm_id, tagged_scope
from costplane.domain.errors import EventRejected
from costplane.domain.naming import singular

VM = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1"


def test_virtual_machine_id_is_a_compute_virtualmachine_in_its_subscription() -> None:
    resource = parse_arm_id(VM)
    assert resource.subscription == "x"
    assert resource.resource_id == VM
    assert resource.resource_type == "azure.compute.virtualmachine"


def test_resource_group_id_is_a_resourcegroup() -> None:
    resource = parse_arm_id("/subscriptions/x/resourcegroups/rg")
    assert resource.resource_type == "azure.resources.resourcegroup"


def test_subscription_id_is_a_subscription() -> None:
    assert parse_arm_id("/subscriptions/x").resource_type == "azure.resources.subscription"


def test_child_resource_type_joins_every_singular_type_segment() -> None:
    resource = parse_arm_id(
        "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Sql/servers/s1/databases/db1"
    )
    assert resource.resource_type == "azure.sql.server.database"


def test_extension_resource_takes_the_type_of_its_last_provider() -> None:
    resource = parse_arm_id(f"{VM}/providers/Microsoft.Insights/diagnosticSettings/d1")
    assert resource.resource_type == "azure.insights.diagnosticsetting"


def test_non_microsoft_namespace_keeps_its_name() -> None:
    resource = parse_arm_id(
        "/subscriptions/x/resourceGroups/rg/providers/Sendgrid.Email/accounts/a1"
    )
    assert resource.resource_type == "azure.sendgrid.email.account"


@pytest.mark.parametrize(
    ("plural", "expected"),
    [
        ("virtualmachines", "virtualmachine"),
        ("registries", "registry"),
        ("publicipaddresses", "publicipaddress"),
        ("namespaces", "namespace"),
        ("redis", "redis"),
        ("vaults", "vault"),
        ("sites", "site"),
    ],
)
def test_type_segments_are_singularised_by_simple_rules(plural: str, expected: str) -> None:
    assert singular(plural) == expected


def test_tags_default_id_addresses_the_resource_it_tags() -> None:
    assert tagged_scope(f"{VM}/providers/Microsoft.Resources/tags/default") == VM


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "/providers/Microsoft.Management/managementGroups/mg1",
        "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines",
        "/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute",
        "/subscriptions/x/somethingElse/y/z",
    ],
)
def test_malformed_arm_id_is_rejected_as_an_invalid_field(bad: str) -> None:
    with pytest.raises(EventRejected) as caught:
        parse_arm_id(bad)
    assert caught.value.code == "invalid_field"
    assert caught.value.provider == "azure"
