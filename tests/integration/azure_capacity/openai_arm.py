"""Azure OpenAI's management API as the levers meet it: a deployment and an account, and the
exchanges (Cognitive Services management REST reference, api-version 2024-10-01:
Deployments_Get, Deployments_CreateOrUpdate, Accounts_Get, Accounts_Update; the Tags API) that
read and change them, for a Script to expect in order."""

from __future__ import annotations

from typing import Any

from tests.integration.azure_adapters.azure_support import ARM, RG, TAGS, ref, tags_resource
from tests.integration.azure_adapters.http_script import Exchange

V = "?api-version=2024-10-01"
ACCOUNT_ID = f"{RG}/providers/Microsoft.CognitiveServices/accounts/oai-search"
DEPLOYMENT_ID = f"{ACCOUNT_ID}/deployments/gpt-4o"
ACCOUNT = ref(ACCOUNT_ID, "azure.cognitiveservices.account")
DEPLOYMENT = ref(DEPLOYMENT_ID, "azure.cognitiveservices.account.deployment")
RECORD = "costplane-throttled-gpt-4o"
SUSPENDED = "costplane-suspended"
MODEL = {"format": "OpenAI", "name": "gpt-4o", "version": "2024-11-20"}


def deployment(capacity: int, tags: dict[str, str] | None = None) -> dict[str, Any]:
    """A `Deployment` as Deployments_Get answers, read-only properties included."""
    found: dict[str, Any] = {
        "id": DEPLOYMENT_ID,
        "name": "gpt-4o",
        "type": "Microsoft.CognitiveServices/accounts/deployments",
        "sku": {"name": "GlobalStandard", "capacity": capacity},
        "etag": '"0x8DD"',
        "properties": {
            "model": MODEL,
            "versionUpgradeOption": "OnceNewDefaultVersionAvailable",
            "raiPolicyName": "Microsoft.DefaultV2",
            "provisioningState": "Succeeded",
            "rateLimits": [{"key": "request", "renewalPeriod": 10, "count": capacity}],
        },
    }
    if tags is not None:
        found["tags"] = tags
    return found


def read_deployment(capacity: int, tags: dict[str, str] | None = None) -> Exchange:
    return Exchange("GET", f"{ARM}{DEPLOYMENT_ID}{V}", reply=deployment(capacity, tags))


def put_deployment(capacity: int) -> Exchange:
    body = {
        "sku": {"name": "GlobalStandard", "capacity": capacity},
        "properties": {
            "model": MODEL,
            "raiPolicyName": "Microsoft.DefaultV2",
            "versionUpgradeOption": "OnceNewDefaultVersionAvailable",
        },
    }
    return Exchange(
        "PUT",
        f"{ARM}{DEPLOYMENT_ID}{V}",
        body=body,
        headers={"If-Match": '"0x8DD"'},
        reply=deployment(capacity),
    )


def account_tags(tags: dict[str, str]) -> Exchange:
    return Exchange("GET", f"{ARM}{ACCOUNT_ID}{TAGS}", reply=tags_resource(ACCOUNT_ID, tags))


def patch_account_tags(operation: str, tags: dict[str, str]) -> Exchange:
    body = {"operation": operation, "properties": {"tags": tags}}
    return Exchange(
        "PATCH", f"{ARM}{ACCOUNT_ID}{TAGS}", body=body, reply=tags_resource(ACCOUNT_ID, {})
    )


def read_account(disabled: bool | None) -> Exchange:
    properties: dict[str, Any] = {"endpoint": "https://oai-search.openai.azure.com/"}
    if disabled is not None:
        properties["disableLocalAuth"] = disabled
    reply = {"id": ACCOUNT_ID, "kind": "OpenAI", "properties": properties}
    return Exchange("GET", f"{ARM}{ACCOUNT_ID}{V}", reply=reply)


def patch_account(disabled: bool) -> Exchange:
    body = {"properties": {"disableLocalAuth": disabled}}
    return Exchange("PATCH", f"{ARM}{ACCOUNT_ID}{V}", body=body, reply={"id": ACCOUNT_ID})
