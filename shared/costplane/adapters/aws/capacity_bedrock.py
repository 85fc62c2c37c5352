"""Bedrock's levers: deny invocations through an application inference profile, or delete it.

Bedrock has no spending cap, so the levers are IAM and deletion:

- Suspend an application inference profile: a managed policy `/costplane/costplane-deny-invoke-
  <profile id>` denies `bedrock:InvokeModel` and `bedrock:InvokeModelWithResponseStream` (the
  Converse and ConverseStream APIs are authorised by the same two actions) on the profile's
  ARN, and is attached to every IAM role and user of the account, except service-linked roles,
  which accept no policy. An explicit Deny wins over any Allow, so no principal of the account
  can invoke the profile. The policy is the record: `resume` detaches it from every entity IAM
  lists for it, and deletes it. A principal at its quota of attached policies fails the
  suspension (LimitExceeded); the attachments made so far stay listed, so the retry or the
  resume finds them. To deny one principal rather than a profile, suspend the role or user:
  its deny-spend policy (`capacity_iam`) covers Bedrock invocation too.
- Decommission an application inference profile, or a provisioned throughput bought without
  commitment: deleted. Neither can be brought back as it was (a new profile or throughput has
  a new ARN, and callers name the ARN), so the undo state is the configuration to recreate it
  by hand and `resume` raises `Irreversible` quoting it. A throughput with a commitment term is
  billed until the term ends whether or not it exists: deleting it saves nothing, so the
  action is not taken (ActionImpossible).

REST (bedrock 2023-04-20): `GET`/`DELETE /inference-profiles/{id}`, `GET`/`DELETE
/provisioned-model-throughput/{id}`, `POST /listTagsForResource`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import orjson

from costplane.adapters.aws.arns import partition, region_of, resource_name
from costplane.adapters.aws.capacity_iam import DENY_POLICY_PATH
from costplane.adapters.aws.clients import client, error_code, missing_is_gone
from costplane.adapters.aws.inventory import bedrock_tags
from costplane.domain.errors import ActionImpossible
from costplane.engine.ports import ResourceGone, ResourceRef
from costplane.engine.undo import NotReversible, Reversible, Undo

INVOKE_ACTIONS = ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream")
DENY_PREFIX = "costplane-deny-invoke-"
_SERVICE_LINKED_PATH = "/aws-service-role/"
_MISSING = "NoSuchEntity"


class Irreversible(NotReversible):
    """The action deleted what cannot be recreated as it was; the message says how it was."""


def deny_policy_arn(ref: ResourceRef) -> str:
    return (
        f"arn:{partition(ref.region or '')}:iam::{ref.account}:policy"
        f"{DENY_POLICY_PATH}{DENY_PREFIX}{resource_name(ref)}"
    )


def deny_document(profile_arn: str) -> dict[str, object]:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "CostplaneDenyInvoke",
                "Effect": "Deny",
                "Action": list(INVOKE_ACTIONS),
                "Resource": profile_arn,
            }
        ],
    }


def _ensure_policy(ref: ResourceRef) -> str:
    iam, arn = client("iam", None), deny_policy_arn(ref)
    try:
        iam.create_policy(
            PolicyName=f"{DENY_PREFIX}{resource_name(ref)}",
            Path=DENY_POLICY_PATH,
            PolicyDocument=orjson.dumps(deny_document(ref.resource_id)).decode(),
            Description="costplane suspend: denies invoking one Bedrock inference profile",
        )
    except Exception as exc:
        if error_code(exc) != "EntityAlreadyExists":
            raise
    return arn


def _principals() -> Iterator[tuple[str, str]]:
    """("Role" | "User", name) of every principal that can carry a managed policy."""
    iam = client("iam", None)
    for page in iam.get_paginator("list_roles").paginate():
        for role in page["Roles"]:
            if not role["Path"].startswith(_SERVICE_LINKED_PATH):
                yield "Role", role["RoleName"]
    for page in iam.get_paginator("list_users").paginate():
        for user in page["Users"]:
            yield "User", user["UserName"]


def _attached(policy: str) -> set[tuple[str, str]]:
    """The roles and users `policy` is attached to; empty when the policy does not exist."""
    iam = client("iam", None)
    try:
        pages = list(iam.get_paginator("list_entities_for_policy").paginate(PolicyArn=policy))
    except Exception as exc:
        if error_code(exc) == _MISSING:
            return set()
        raise
    return {("Role", r["RoleName"]) for page in pages for r in page["PolicyRoles"]} | {
        ("User", u["UserName"]) for page in pages for u in page["PolicyUsers"]
    }


def _deny_invocations(ref: ResourceRef) -> Undo:
    policy = _ensure_policy(ref)
    iam, already = client("iam", None), _attached(policy)
    for noun, name in _principals():
        if (noun, name) not in already:
            getattr(iam, f"attach_{noun.lower()}_policy")(
                **{f"{noun}Name": name, "PolicyArn": policy}
            )
    return {"policy": policy}


def _allow_invocations(ref: ResourceRef, state: Mapping[str, str]) -> None:
    policy = state.get("policy") or deny_policy_arn(ref)
    iam = client("iam", None)
    for noun, name in sorted(_attached(policy)):
        try:
            getattr(iam, f"detach_{noun.lower()}_policy")(
                **{f"{noun}Name": name, "PolicyArn": policy}
            )
        except Exception as exc:
            if error_code(exc) != _MISSING:  # the principal went meanwhile
                raise
    try:
        iam.delete_policy(PolicyArn=policy)
    except Exception as exc:
        if error_code(exc) != _MISSING:
            raise


PROFILE_SUSPEND = Reversible(_deny_invocations, _allow_invocations)


def _config(ref: ResourceRef, found: Mapping[str, object], *fields: str) -> Undo:
    """The fields that recreate it, and its tags, as the undo state (strings, for the audit)."""
    state = {field: str(found[field]) for field in fields if found.get(field) is not None}
    state["tags"] = orjson.dumps(bedrock_tags(ref), option=orjson.OPT_SORT_KEYS).decode()
    return state


def _delete_profile(ref: ResourceRef) -> Undo:
    bedrock = client("bedrock", region_of(ref))
    with missing_is_gone(ref):
        profile = bedrock.get_inference_profile(inferenceProfileIdentifier=ref.resource_id)
    models = [str(model["modelArn"]) for model in profile.get("models", [])]
    state = _config(ref, profile, "inferenceProfileName", "inferenceProfileArn")
    state["models"] = ",".join(models)
    with missing_is_gone(ref):
        bedrock.delete_inference_profile(inferenceProfileIdentifier=ref.resource_id)
    return state


def _delete_throughput(ref: ResourceRef) -> Undo:
    bedrock = client("bedrock", region_of(ref))
    with missing_is_gone(ref):
        found = bedrock.get_provisioned_model_throughput(provisionedModelId=ref.resource_id)
    if found.get("commitmentDuration"):
        raise ActionImpossible(
            f"{ref.resource_id} is committed ({found['commitmentDuration']}) until "
            f"{found.get('commitmentExpirationTime')}: it bills until then, deleted or not"
        )
    state = _config(
        ref, found, "provisionedModelName", "provisionedModelArn", "modelArn", "modelUnits"
    )
    with missing_is_gone(ref):
        bedrock.delete_provisioned_model_throughput(provisionedModelId=ref.resource_id)
    return state


def _once(delete: Reversible) -> Reversible:
    """A repeated decommission of what is already gone succeeds, with nothing left to record."""

    def act(ref: ResourceRef) -> Undo:
        try:
            return delete.act(ref)
        except ResourceGone:
            return {"deleted": "already"}

    return Reversible(act, delete.undo)


def _irreversible(ref: ResourceRef, state: Mapping[str, str]) -> None:
    raise Irreversible(
        f"{ref.resource_type} {ref.resource_id} was deleted and cannot be restored as it was; "
        f"recreate it from: {orjson.dumps(dict(state), option=orjson.OPT_SORT_KEYS).decode()}"
    )


PROFILE_DECOMMISSION = _once(Reversible(_delete_profile, _irreversible))
THROUGHPUT_DECOMMISSION = _once(Reversible(_delete_throughput, _irreversible))
