"""Azure OpenAI's levers: a deployment's capacity lowered, an account's key auth turned off.

- Throttle a deployment (`Microsoft.CognitiveServices/accounts/deployments`): its sku capacity
  (thousands of tokens per minute for Standard, PTUs for provisioned) drops to
  `THROTTLED_CAPACITY`, the least a deployment accepts. The deployment is PUT back as read,
  only `sku.capacity` changed, guarded by its ETag so a concurrent change is not overwritten.
  A deployment carries no record of its own that every API version keeps, so the record is a
  tag on its account, `costplane-throttled-<deployment>: capacity=<n>` (as a GKE node pool's is
  on its cluster); resume puts the previous capacity back and drops the tag.
- Suspend an account (`Microsoft.CognitiveServices/accounts`): `disableLocalAuth: true`, so
  its API keys stop working at once for every deployment; callers with Microsoft Entra tokens
  keep working (their roles are theirs to revoke). The previous value is recorded in the
  account's `costplane-suspended` tag; resume PATCHes it back.

A deployment's owner tags are its own merged over its account's (`deployment_tags`), for
Resource Graph indexes accounts, not their deployments.

REST: Cognitive Services management API version 2024-10-01, `GET`/`PUT {deployment}`
(Deployments_Get, Deployments_CreateOrUpdate), `GET`/`PATCH {account}` (Accounts_Get,
Accounts_Update with `{"properties": {"disableLocalAuth": …}}`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from costplane.adapters.azure.http import ARM, arm_path
from costplane.adapters.rest import Json, RestClient, UnsupportedResource, body_of
from costplane.domain.decisions import ActionKind
from costplane.engine.ports import ResourceRef
from costplane.engine.undo import RECORD_KEYS, Reversible, TagRecord, reversible

API_VERSION = "2024-10-01"
ACCOUNT_TYPE = "azure.cognitiveservices.account"
DEPLOYMENT_TYPE = "azure.cognitiveservices.account.deployment"
THROTTLED_CAPACITY = 1
_DEPLOYMENTS = "/deployments/"
# The deployment properties a PUT may carry; the others are read-only (state, limits, …).
_WRITABLE = ("model", "raiPolicyName", "versionUpgradeOption", "currentCapacity")
Tags = Callable[[ResourceRef], Mapping[str, str]]
Write = Callable[[ResourceRef, dict[str, str]], None]
Remove = Callable[[ResourceRef, list[str]], None]


def account_of(ref: ResourceRef) -> ResourceRef:
    """The account a deployment belongs to."""
    account_id, found, _ = ref.resource_id.rpartition(_DEPLOYMENTS)
    if not found:
        raise UnsupportedResource(f"{ref.resource_id!r} is not an Azure OpenAI deployment id")
    return ref.model_copy(update={"resource_id": account_id, "resource_type": ACCOUNT_TYPE})


def deployment_name(ref: ResourceRef) -> str:
    return ref.resource_id.rpartition(_DEPLOYMENTS)[2]


def _call(
    arm: RestClient,
    method: str,
    ref: ResourceRef,
    body: Json | None = None,
    headers: Mapping[str, str] | None = None,
) -> Json:
    response = arm.call(
        method,
        f"{ARM}{arm_path(ref.resource_id)}",
        resource=ref.resource_id,
        params={"api-version": API_VERSION},
        body=body,
        headers=headers,
    )
    return body_of(response)


def deployment_tags(arm: RestClient, ref: ResourceRef, account_tags: Tags) -> dict[str, str]:
    """The deployment's own tags over its account's; a deleted deployment raises ResourceGone."""
    own = _call(arm, "GET", ref).get("tags") or {}
    return {**account_tags(account_of(ref)), **{str(k): str(v) for k, v in own.items()}}


# Deployments: throttle = the least capacity ----------------------------------------------------


def _capacity(arm: RestClient, ref: ResourceRef) -> tuple[Json, int]:
    deployment = _call(arm, "GET", ref)
    sku = deployment.get("sku")
    if not isinstance(sku, dict) or not isinstance(sku.get("capacity"), int):
        raise UnsupportedResource(f"{ref.resource_id} has no sku capacity to lower")
    return deployment, int(sku["capacity"])


def _set_capacity(arm: RestClient, ref: ResourceRef, capacity: int) -> None:
    deployment, current = _capacity(arm, ref)
    if current == capacity:
        return
    properties = deployment.get("properties") or {}
    body: Json = {
        "sku": {**deployment["sku"], "capacity": capacity},
        "properties": {k: properties[k] for k in _WRITABLE if k in properties},
    }
    if "currentCapacity" in body["properties"]:
        body["properties"]["currentCapacity"] = capacity
    if tags := deployment.get("tags"):
        body["tags"] = tags
    etag = deployment.get("etag")
    _call(arm, "PUT", ref, body=body, headers={"If-Match": str(etag)} if etag else None)


def deployment_throttle(arm: RestClient, tags: Tags, add: Write, remove: Remove) -> Reversible:
    def key(ref: ResourceRef, kind: ActionKind) -> str:
        return f"{RECORD_KEYS[kind]}-{deployment_name(ref)}"

    return reversible(
        ActionKind.THROTTLE,
        TagRecord(
            lambda ref: tags(account_of(ref)),
            lambda ref, values: add(account_of(ref), values),
            lambda ref, keys: remove(account_of(ref), keys),
            key=key,
        ),
        capture=lambda ref: {"capacity": str(_capacity(arm, ref)[1])},
        apply=lambda ref: _set_capacity(arm, ref, THROTTLED_CAPACITY),
        restore=lambda ref, state: _set_capacity(arm, ref, int(state["capacity"])),
    )


# Accounts: suspend = no key auth ---------------------------------------------------------------


def _local_auth(arm: RestClient, ref: ResourceRef) -> str:
    """`disabled` or `enabled`, as the account says (absent means enabled)."""
    properties = _call(arm, "GET", ref).get("properties") or {}
    return "disabled" if properties.get("disableLocalAuth") else "enabled"


def _set_local_auth(arm: RestClient, ref: ResourceRef, state: str) -> None:
    if _local_auth(arm, ref) != state:
        body = {"properties": {"disableLocalAuth": state == "disabled"}}
        _call(arm, "PATCH", ref, body=body)


def account_suspension(arm: RestClient, record: TagRecord) -> Reversible:
    return reversible(
        ActionKind.SUSPEND,
        record,
        capture=lambda ref: {"local": _local_auth(arm, ref)},
        apply=lambda ref: _set_local_auth(arm, ref, "disabled"),
        restore=lambda ref, state: _set_local_auth(arm, ref, state.get("local", "enabled")),
    )
