"""infra/azure (Bicep): clean under checkov, whose Bicep parser reads every file for real (a
syntax error fails it), and wired to the code it deploys: the Event Grid trigger's name, the ARM
actions the Azure adapters call, the table and settings they read.

There is no Bicep CLI here, so no `bicep build`: the structural checks below read the templates'
text with a few patterns, enough to tie each fact to the code it must match.
"""

from __future__ import annotations

import importlib
import re
import sys
import typing
from functools import cache
from pathlib import Path

import azure.functions as func
import orjson
import pytest

from costplane.adapters.azure.enforcer import POWER_ACTIONS, AzureEnforcer
from costplane.adapters.local.plane import SystemClock
from costplane.adapters.rest import RestClient, StaticToken, new_client
from costplane.config import (
    AiPullSettings,
    AiVendorSettings,
    ApprovalSettings,
    AzureSettings,
    CatalogSettings,
    Settings,
    SweepSettings,
)
from costplane.domain.taxonomy import Mode
from costplane.policy.plugins import load_plugins
from costplane.policy.registry import ACTIONS
from tests.infra.test_terraform_gcp import (
    PLANE,
    checkov_report,
    environment_names,
    unexplained_findings,
)

REPO = Path(__file__).resolve().parents[2]
INFRA = REPO / "infra" / "azure"
FUNCTION_APP = REPO / "functions" / "azure"

# What each Azure adapter call needs. costplane/adapters/azure/inventory.py and enforcer.py use
# the Tags API at any scope, and enforcer.POWER_ACTIONS POSTs {id}/deallocate; capacity.py GETs
# {vm}/instanceView and POSTs {vm}/start (suspend, resume), GETs and PATCHes {vmss} (throttle).
# ARM authorises GET instanceView as instanceView/read; the enforcer's docstring names
# virtualMachines/read for it, so both are granted.
TAG_ACTIONS = {"Microsoft.Resources/tags/read", "Microsoft.Resources/tags/write"}
TYPE_ACTIONS = {
    "azure.compute.virtualmachine": {
        "Microsoft.Compute/virtualMachines/read",
        "Microsoft.Compute/virtualMachines/instanceView/read",
        "Microsoft.Compute/virtualMachines/deallocate/action",
        "Microsoft.Compute/virtualMachines/start/action",
    },
    "azure.compute.virtualmachinescaleset": {
        "Microsoft.Compute/virtualMachineScaleSets/read",
        "Microsoft.Compute/virtualMachineScaleSets/write",
        "Microsoft.Compute/virtualMachineScaleSets/deallocate/action",
    },
    # costplane.adapters.azure.capacity_openai: key auth read and PATCHed on the account, a
    # deployment's sku read and PUT; the deployment's record is a tag on its account.
    "azure.cognitiveservices.account": {
        "Microsoft.CognitiveServices/accounts/read",
        "Microsoft.CognitiveServices/accounts/write",
    },
    "azure.cognitiveservices.account.deployment": {
        "Microsoft.CognitiveServices/accounts/deployments/read",
        "Microsoft.CognitiveServices/accounts/deployments/write",
    },
}
# Built-in role ids: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
STORAGE_TABLE_DATA_CONTRIBUTOR = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"
EVENT_TYPES = {
    "Microsoft.Resources.ResourceWriteSuccess",
    "Microsoft.Resources.ResourceDeleteSuccess",
    "Microsoft.Resources.ResourceActionSuccess",
}
RESOURCE = re.compile(r"^resource\s+(\w+)\s+'([\w./]+)@([\w-]+)'", re.MULTILINE)


@cache
def bicep(name: str) -> str:
    return (INFRA / name).read_text()


def enclosed(text: str, marker: str) -> str:
    """What the first `{` or `[` at or after `marker` encloses, up to its closing bracket."""
    found = re.compile(r"[{\[]").search(text, text.index(marker))
    assert found, f"nothing is enclosed after {marker!r}"
    opening = found.group()
    close = {"{": "}", "[": "]"}[opening]
    depth = 0
    for end in range(found.start(), len(text)):
        depth += {opening: 1, close: -1}.get(text[end], 0)
        if depth == 0:
            return text[found.end() : end]
    raise AssertionError(f"{marker!r} is never closed")


def literals(text: str) -> list[str]:
    return re.findall(r"'([^'\n]*)'", text)


def variable(text: str, name: str) -> str:
    found = re.search(rf"^var {name} = '([^']*)'$", text, re.MULTILINE)
    assert found, f"var {name} is not a string literal"
    return found.group(1)


def allowed(text: str, parameter: str) -> set[str]:
    found = re.search(rf"@allowed\(\[(.*?)\]\)\s*param {parameter} ", text, re.DOTALL)
    assert found, f"param {parameter} has no @allowed list"
    return set(literals(found.group(1)))


def app_settings() -> dict[str, str]:
    """COSTPLANE_* app settings of the Function App and their Bicep value expressions."""
    pairs = re.findall(r"name: '(COSTPLANE_\w+)'\s+value: ([^\n]+)", bicep("modules/app.bicep"))
    return dict(pairs)


@pytest.fixture(scope="module")
def checkov_findings() -> dict[str, list[str]]:
    return unexplained_findings(checkov_report(INFRA, "bicep"))


@pytest.fixture
def event_grid_functions(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """Names of the Event Grid-triggered functions, from the app loaded as the host loads it."""
    monkeypatch.syspath_prepend(str(FUNCTION_APP))
    for name in [n for n in sys.modules if n == "function_app" or n.startswith("blueprints")]:
        monkeypatch.delitem(sys.modules, name)
    app = importlib.import_module("function_app").app
    return {
        f.get_function_name()
        for f in app.get_functions()
        if f.get_trigger().type == "eventGridTrigger"
    }


@pytest.mark.infra
def test_checkov_parses_every_file_and_finds_nothing_not_skipped_with_a_reason(checkov_findings):
    assert checkov_findings == {"failed": [], "skipped without a reason": [], "not parsed": []}


def test_the_deployment_is_at_subscription_scope_with_its_modules_in_the_resource_group():
    main = bicep("main.bicep")
    modules = re.findall(r"^module \w+ '([^']+)'", main, re.MULTILINE)

    assert re.search(r"^targetScope = 'subscription'$", main, re.MULTILINE)
    assert modules == [
        "modules/app.bicep",
        "modules/audit.bicep",
        "modules/lake-reader.bicep",
        "modules/events.bicep",
    ]
    assert all((INFRA / module).exists() for module in modules)
    assert main.count("scope: group") == 2
    assert "scope: auditGroup" in enclosed(main, "module audit ")


def test_every_resource_type_is_declared_with_one_ga_api_version():
    declared: dict[str, set[str]] = {}
    for path in INFRA.rglob("*.bicep"):
        for _, type_, version in RESOURCE.findall(path.read_text()):
            declared.setdefault(type_, set()).add(version)

    assert set(declared) == {
        "Microsoft.Authorization/locks",
        "Microsoft.Authorization/roleAssignments",
        "Microsoft.Authorization/roleDefinitions",
        "Microsoft.KeyVault/vaults",
        "Microsoft.EventGrid/systemTopics",
        "Microsoft.EventGrid/systemTopics/eventSubscriptions",
        "Microsoft.Insights/actionGroups",
        "Microsoft.Insights/components",
        "Microsoft.OperationalInsights/workspaces",
        "Microsoft.Resources/resourceGroups",
        "Microsoft.Storage/storageAccounts",
        "Microsoft.Storage/storageAccounts/blobServices",
        "Microsoft.Storage/storageAccounts/blobServices/containers",
        "Microsoft.Storage/storageAccounts/tableServices",
        "Microsoft.Storage/storageAccounts/tableServices/tables",
        "Microsoft.Web/serverfarms",
        "Microsoft.Web/sites",
    }
    assert {t: len(v) for t, v in declared.items()} == dict.fromkeys(declared, 1)
    assert all(re.fullmatch(r"\d{4}-\d{2}-\d{2}", v) for [v] in declared.values())


def test_the_app_runs_python_311_on_linux_flex_consumption_with_a_system_identity():
    app = bicep("modules/app.bicep")
    runtime = enclosed(app, "runtime: {")

    assert "tier: 'FlexConsumption'" in enclosed(app, "resource plan 'Microsoft.Web/serverfarms")
    assert "kind: 'functionapp,linux'" in app
    assert literals(runtime) == ["python", "3.11"]
    assert "type: 'SystemAssigned'" in enclosed(app, "identity: {")


@pytest.mark.parametrize(
    ("module", "resource"), [("modules/app.bicep", "storage"), ("modules/audit.bicep", "account")]
)
def test_storage_takes_only_identities_over_tls_1_2_and_never_serves_public_blobs(module, resource):
    storage = enclosed(bicep(module), f"resource {resource} 'Microsoft.Storage/storageA")

    assert "allowSharedKeyAccess: false" in storage
    assert "allowBlobPublicAccess: false" in storage
    assert "supportsHttpsTrafficOnly: true" in storage
    assert "minimumTlsVersion: 'TLS1_2'" in storage


def test_the_host_reaches_its_storage_by_identity_not_by_connection_string():
    app = bicep("modules/app.bicep")

    assert "name: 'AzureWebJobsStorage__accountName'" in app
    assert "name: 'AzureWebJobsStorage'\n" not in app
    assert "type: 'SystemAssignedIdentity'" in enclosed(app, "deployment: {")


def test_app_settings_name_only_settings_the_code_reads_and_every_one_it_needs():
    names = set(app_settings())
    # read by the host: the mark sweep's and the AI usage pull's timer bindings
    timer = {"COSTPLANE_SWEEP_SCHEDULE", "COSTPLANE_AI_PULL_SCHEDULE"}
    read = environment_names(
        Settings,
        AzureSettings,
        ApprovalSettings,
        AiVendorSettings,
        CatalogSettings,
        SweepSettings,
        AiPullSettings,
    )
    read |= {PLANE} | timer

    assert names <= read
    assert {PLANE, "COSTPLANE_MODE", "COSTPLANE_AZURE_STATE_ACCOUNT"} <= names
    assert "COSTPLANE_AZURE_TOKEN" not in names, "a static token would bypass the identity"
    assert app_settings()[PLANE] == "'azure'"
    assert app_settings()["COSTPLANE_MODE"] == "mode"


DOCUMENT_PATHS = {
    "COSTPLANE_TAXONOMY": "taxonomyPath",
    "COSTPLANE_POLICIES": "policiesPath",
    "COSTPLANE_BUDGETS": "budgetsPath",
}


@pytest.mark.parametrize(("setting", "parameter"), DOCUMENT_PATHS.items())
def test_a_document_path_is_a_parameter_set_only_when_given(setting, parameter):
    app = bicep("modules/app.bicep")
    unset_when_empty = re.search(
        rf"^var (\w+) = empty\({parameter}\) \? \[\] : \[\s*{{\s*name: '{setting}'", app, re.M
    )

    assert app_settings()[setting] == parameter
    assert unset_when_empty, f"{setting} is not left out when {parameter} is empty"
    assert unset_when_empty.group(1) in re.findall(r"appSettings: concat\(([^)]*)\)", app)[0]
    assert f"param {parameter} string = ''" in bicep("main.bicep")
    assert f"    {parameter}: {parameter}\n" in enclosed(bicep("main.bicep"), "module app ")


def test_the_state_table_is_the_one_the_adapter_expects_and_the_identity_may_write_it():
    app = bicep("modules/app.bicep")
    access = enclosed(app, "resource stateAccess 'Microsoft.Authorization/roleAssignments")

    assert variable(app, "stateTableName") == AzureSettings.model_fields["state_table"].default
    assert "name: stateTableName" in enclosed(app, "resource stateTable '")
    assert app_settings()["COSTPLANE_AZURE_STATE_TABLE"] == "stateTable.name"
    assert app_settings()["COSTPLANE_AZURE_STATE_ACCOUNT"] == "storage.name"
    assert "scope: stateTable" in access
    assert "storageTableDataContributor" in access
    assert variable(app, "storageTableDataContributor") == STORAGE_TABLE_DATA_CONTRIBUTOR


def test_the_event_subscription_targets_the_event_grid_trigger_of_the_function_app(
    event_grid_functions,
):
    events = bicep("modules/events.bicep")
    destination = enclosed(events, "destination: {")
    subscribers = set(
        re.findall(r"^\s*'[a-z-]+': '(\w+)'$", enclosed(events, "var subscribers"), re.M)
    )

    assert subscribers == event_grid_functions
    assert "endpointType: 'AzureFunction'" in destination
    assert "resourceId: '${functionApp.id}/functions/${subscriber.value}'" in destination


def test_the_event_subscription_routes_subscription_resource_events_with_retries_and_dead_letters():
    events = bicep("modules/events.bicep")
    topic = enclosed(events, "resource topic 'Microsoft.EventGrid/systemTopics")
    dead_letter = enclosed(events, "deadLetterDestination: {")

    assert "topicType: 'Microsoft.Resources.Subscriptions'" in topic
    assert "source: subscription().id" in topic
    assert set(literals(enclosed(events, "includedEventTypes: ["))) == EVENT_TYPES
    assert "maxDeliveryAttempts: maxDeliveryAttempts" in enclosed(events, "retryPolicy: {")
    assert "endpointType: 'StorageBlob'" in dead_letter
    assert "blobContainerName: deadLetterContainerName" in dead_letter
    assert "scope: storage::blobService::deadLetters" in events


def test_the_custom_role_holds_exactly_the_actions_the_adapters_call():
    enforcer = AzureEnforcer(RestClient(new_client(None), StaticToken("token")), SystemClock())
    acted_on = set(POWER_ACTIONS) | {t for kinds in enforcer.reversible.values() for t in kinds}
    granted = set(literals(enclosed(bicep("main.bicep"), "var enforcerActions = [")))

    assert set(TYPE_ACTIONS) == acted_on
    assert granted == TAG_ACTIONS.union(*TYPE_ACTIONS.values())


def test_the_custom_role_holds_what_every_policy_action_declares_for_azure():
    load_plugins()
    declared = {p for action in ACTIONS.values() for p in action.permissions.get("azure", ())}

    assert declared <= set(literals(enclosed(bicep("main.bicep"), "var enforcerActions = [")))


def test_the_custom_role_is_assigned_to_the_function_identity_on_the_subscription():
    main = bicep("main.bicep")
    role = enclosed(main, "resource enforcerRole 'Microsoft.Authorization/roleDefinitions")
    assignment = enclosed(main, "resource enforcerAssignment 'Microsoft.Authorization/roleAssign")

    assert "actions: enforcerActions" in role
    assert "subscription().id" in enclosed(role, "assignableScopes: [")
    assert "roleDefinitionId: enforcerRole.id" in assignment
    assert "principalId: app.outputs.principalId" in assignment
    assert "scope:" not in assignment


def test_the_mode_parameter_allows_exactly_the_modes_costplane_knows():
    modes = {m.value for m in Mode}

    assert allowed(bicep("main.bicep"), "mode") == modes
    assert allowed(bicep("modules/app.bicep"), "mode") == modes


def test_the_parameters_file_sets_only_declared_parameters():
    declared = set(re.findall(r"^param (\w+) ", bicep("main.bicep"), re.MULTILINE))
    parameters = orjson.loads((INFRA / "main.parameters.json").read_bytes())["parameters"]

    assert set(parameters) <= declared
    assert parameters["mode"]["value"] == Mode.DRY_RUN.value


# ------------------------------------------------------------------------------------------
# approvals: the channels' secrets in Key Vault, read through Key Vault references.

KEY_VAULT_SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6"


def expression(text: str, name: str) -> str:
    """The one-line expression `var name` is set to."""
    found = re.search(rf"^var {name} = ([^\n]+)$", text, re.MULTILINE)
    assert found, f"var {name} is not a one-line expression"
    return found.group(1)


SECRET_PARAMETERS = {
    "COSTPLANE_SLACK_SIGNING_SECRET": "slackSigningSecretName",
    "COSTPLANE_SLACK_BOT_TOKEN": "slackBotTokenSecretName",
    "COSTPLANE_TEAMS_APP_PASSWORD": "teamsAppPasswordSecretName",
    "COSTPLANE_RESUME_SIGNING_SECRET": "resumeSigningSecretName",
}
PLAIN_PARAMETERS = {
    "COSTPLANE_SLACK_CHANNEL": "slackChannel",
    "COSTPLANE_TEAMS_APP_ID": "teamsAppId",
    "COSTPLANE_TEAMS_TENANT": "teamsTenant",
    "COSTPLANE_TEAMS_SERVICE_URL": "teamsServiceUrl",
    "COSTPLANE_TEAMS_CONVERSATION": "teamsConversation",
}


def test_every_approvals_secret_is_a_key_vault_reference_never_a_plain_setting():
    secrets = environment_names(ApprovalSettings, secret=True)
    settings = app_settings()

    assert set(SECRET_PARAMETERS) == secrets
    for setting, parameter in SECRET_PARAMETERS.items():
        assert settings[setting] == (
            f"'@Microsoft.KeyVault(SecretUri=${{keyVaultSecrets}}/${{{parameter}}}/)'"
        )
    assert variable(bicep("modules/app.bicep"), "keyVaultSecrets") == (
        "${vault.properties.vaultUri}secrets"
    )


def test_no_secret_value_is_a_parameter_only_the_name_of_a_key_vault_secret():
    main = bicep("main.bicep")
    for parameter in SECRET_PARAMETERS.values():
        assert f"param {parameter} string = ''" in main
        assert f"    {parameter}: {parameter}\n" in enclosed(main, "module app ")
        assert "@secure()" not in main.split(f"param {parameter} ")[0].rsplit("param ", 1)[-1]


@pytest.mark.parametrize(
    ("setting", "parameter"), [*SECRET_PARAMETERS.items(), *PLAIN_PARAMETERS.items()]
)
def test_an_approvals_setting_is_set_only_when_its_parameter_is_given(setting, parameter):
    app = bicep("modules/app.bicep")
    unless_empty = rf"^var (\w+) = [^\n]*empty\({parameter}\)[^\n]*\? \[\] : \["
    declared = re.search(rf"{unless_empty}\s*{{[^\[\]]*?name: '{setting}'", app, re.M)

    assert declared, f"{setting} is not left out when {parameter} is empty"
    assert declared.group(1) in expression(app, "approvalSettings")
    assert f"param {parameter} string = ''" in bicep("main.bicep")


def test_the_key_vault_authorises_by_rbac_and_the_app_identity_reads_its_secrets_only():
    app = bicep("modules/app.bicep")
    vault = enclosed(app, "resource vault 'Microsoft.KeyVault/vaults")
    access = enclosed(app, "resource vaultAccess 'Microsoft.Authorization/roleAssignments")

    assert "enableRbacAuthorization: true" in vault
    assert "enablePurgeProtection: true" in vault
    assert "scope: vault" in access
    assert "keyVaultSecretsUser" in access
    assert "principalId: functionApp.identity.principalId" in access
    assert variable(app, "keyVaultSecretsUser") == KEY_VAULT_SECRETS_USER


def test_the_approvals_functions_are_disabled_unless_a_callback_can_be_verified(monkeypatch):
    monkeypatch.syspath_prepend(str(FUNCTION_APP))
    for name in [n for n in sys.modules if n == "function_app" or n.startswith("blueprints")]:
        monkeypatch.delitem(sys.modules, name)
    functions = func.FunctionApp()
    functions.register_functions(importlib.import_module("blueprints.approvals").bp)
    app = bicep("modules/app.bicep")
    approvals = app.split("var disabledApprovals")[1].split("var approvalSettings")[0]
    disabled = set(re.findall(r"name: 'AzureWebJobs\.(\w+)\.Disabled'", approvals))
    configured = expression(app, "callbacksConfigured")

    assert disabled == {f.get_function_name() for f in functions.get_functions()}
    assert "var disabledApprovals = callbacksConfigured ? [] : [" in app
    assert "disabledApprovals" in expression(app, "approvalSettings")
    for verified_by in ("slackSigningSecretName", "teamsAppId", "resumeSigningSecretName"):
        assert f"!empty({verified_by})" in configured


# What the audit log's identity may do to its table: Insert Entity (AzureTableRecords.append)
# and queries (newest); nothing that updates or deletes an entity.
AUDIT_DATA_ACTIONS = {
    "Microsoft.Storage/storageAccounts/tableServices/tables/entities/add/action",
    "Microsoft.Storage/storageAccounts/tableServices/tables/entities/read",
}


def test_the_audit_log_lives_in_a_resource_group_of_its_own():
    main = bicep("main.bicep")
    group = enclosed(main, "resource auditGroup 'Microsoft.Resources/resourceGroups")

    assert "name: auditResourceGroupName" in group
    assert "param auditResourceGroupName string = 'rg-costplane-audit'" in main
    assert "param resourceGroupName string = 'rg-costplane'" in main


def test_the_audit_group_is_locked_against_deletion():
    lock = enclosed(bicep("modules/audit.bicep"), "resource lock 'Microsoft.Authorization/locks")

    assert "level: 'CanNotDelete'" in lock
    assert "scope:" not in lock, "the lock must cover the whole audit resource group"


def test_the_audit_table_is_the_one_the_plane_writes_decisions_to():
    audit = bicep("modules/audit.bicep")

    assert variable(audit, "auditTableName") == AzureSettings.model_fields["audit_table"].default
    assert "name: auditTableName" in enclosed(audit, "resource auditTable '")
    assert app_settings()["COSTPLANE_AZURE_AUDIT_ACCOUNT"] == "auditAccountName"
    assert "    auditAccountName: auditAccountName\n" in enclosed(
        bicep("main.bicep"), "module app "
    )
    assert "    accountName: auditAccountName\n" in enclosed(bicep("main.bicep"), "module audit ")


def test_the_function_may_only_append_to_and_read_the_audit_log():
    main = bicep("main.bicep")
    role = enclosed(main, "resource auditAppendRole 'Microsoft.Authorization/roleDefinitions")
    access = enclosed(bicep("modules/audit.bicep"), "resource appendAccess 'Microsoft.Authoriza")

    assert set(literals(enclosed(main, "var auditLogDataActions = ["))) == AUDIT_DATA_ACTIONS
    assert "dataActions: auditLogDataActions" in role
    assert "actions: []" in role
    assert "scope: auditTable" in access
    assert "roleDefinitionId: appendRoleId" in access
    assert "principalId: app.outputs.principalId" in enclosed(main, "module audit ")
    assert "appendRoleId: auditAppendRole.id" in enclosed(main, "module audit ")
    assert STORAGE_TABLE_DATA_CONTRIBUTOR not in bicep("modules/audit.bicep")


# Built-in role id: https://learn.microsoft.com/azure/role-based-access-control/built-in-roles
STORAGE_BLOB_DATA_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
LAKE_SETTINGS = {
    "COSTPLANE_CATALOG_TYPE": "lakeCatalogType",
    "COSTPLANE_CATALOG_URI": "lakeCatalogUri",
    "COSTPLANE_CATALOG_WAREHOUSE": "lakeCatalogWarehouse",
    "COSTPLANE_CATALOG_NAMESPACE": "lakeCatalogNamespace",
    "COSTPLANE_CATALOG_PROPERTIES": "string(lakeProperties)",
}


def test_the_app_reads_the_lake_through_every_catalog_setting_when_a_catalog_is_given():
    app = bicep("modules/app.bicep")
    lake = app[app.index("var lakeSettings = empty(lakeCatalogType) ? [] : [") :]
    lake = lake[: lake.index("\n]\n")]

    assert set(LAKE_SETTINGS) == environment_names(CatalogSettings) - {"COSTPLANE_CATALOG_NAME"}
    assert dict(re.findall(r"name: '(COSTPLANE_\w+)'\s+value: ([^\n]+)", lake)) == LAKE_SETTINGS
    assert "lakeSettings" in re.findall(r"appSettings: concat\(([^)]*)\)", app)[0]
    for parameter in ("lakeCatalogType", "lakeCatalogUri", "lakeCatalogWarehouse"):
        assert f"param {parameter} string = ''" in bicep("main.bicep")
        assert f"    {parameter}: {parameter}\n" in enclosed(bicep("main.bicep"), "module app ")


def test_the_lake_catalog_types_are_ones_the_settings_accept():
    catalog_types = set(typing.get_args(CatalogSettings.model_fields["type"].annotation))

    found = re.search(r"@allowed\(\[([^\]]*)\]\)\s*param lakeCatalogType ", bicep("main.bicep"))

    assert found
    assert set(literals(found.group(1))) == {"", "rest", "sql"}
    assert {"rest", "sql"} <= catalog_types


def test_the_lake_files_are_read_with_pyarrow_and_the_app_identity():
    app = bicep("modules/app.bicep")

    assert "'py-io-impl': 'pyiceberg.io.pyarrow.PyArrowFileIO'" in app
    assert "'adls.account-name': lakeStorageAccountName" in app
    assert "adls.account-key" not in app
    assert "adls.sas-token" not in app


def test_the_app_identity_may_only_read_the_lake_container():
    reader = bicep("modules/lake-reader.bicep")
    grant = enclosed(reader, "resource lakeRead 'Microsoft.Authorization/roleAssignments")
    module = enclosed(bicep("main.bicep"), "module lakeReader ")

    assert variable(reader, "storageBlobDataReader") == STORAGE_BLOB_DATA_READER
    assert "scope: account::blobService::lake" in grant
    assert "storageBlobDataReader" in grant
    assert len(RESOURCE.findall(reader)) == 2, "an existing account, and one role assignment"
    assert "principalId: app.outputs.principalId" in module
    assert "module lakeReader 'modules/lake-reader.bicep' = if (readsLake)" in bicep("main.bicep")
