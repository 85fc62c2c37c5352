"""Decommission a SageMaker endpoint: delete it, keep its endpoint config to bring it back.

An endpoint bills for its instances every hour it exists; its endpoint config costs nothing.
Deleting the endpoint therefore stops the spend, and `create_endpoint` from the kept config
restores it (the model and its variants are in the config). The endpoint's tags (except
`aws:` ones, which only AWS may set) go into the undo state and, since a deleted endpoint
cannot carry a record, into a `costplane-decommissioned:<endpoint>` tag on the config. A
repeated decommission, or a resume without the audit log, finds that tag through the Resource
Groups Tagging API. An endpoint stays `Deleting` for a while: it is not deleted twice, and a
resume waits (fails, to be retried) until it is gone.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Mapping

import orjson

from costplane.adapters.aws.arns import region_of, resource_name
from costplane.adapters.aws.clients import client, error_code, missing_is_gone
from costplane.adapters.aws.inventory import tag_dict
from costplane.domain.decisions import ActionKind
from costplane.engine.ports import ResourceGone, ResourceRef
from costplane.engine.undo import RECORD_KEYS, TAG_CODEC, Reversible, Undo

log = logging.getLogger("costplane")

_RESERVED_PREFIX = "aws:"
_DELETING = "Deleting"


def record_key(endpoint: str) -> str:
    """One key per endpoint: several endpoints may share one config."""
    return f"{RECORD_KEYS[ActionKind.DECOMMISSION]}:{endpoint}"


def _decommission(ref: ResourceRef) -> Undo:
    sm, name = client("sagemaker", region_of(ref)), resource_name(ref)
    try:
        with missing_is_gone(ref):
            endpoint = sm.describe_endpoint(EndpointName=name)
    except ResourceGone:
        if (recorded := _find_record(ref)) is not None:
            return recorded
        raise
    pages = sm.get_paginator("list_tags").paginate(ResourceArn=endpoint["EndpointArn"])
    tags = tag_dict(tag for page in pages for tag in page["Tags"])
    state = {
        "endpoint": name,
        "config": endpoint["EndpointConfigName"],
        "tags": orjson.dumps(
            {k: v for k, v in tags.items() if not k.startswith(_RESERVED_PREFIX)},
            option=orjson.OPT_SORT_KEYS,
        ).decode(),
    }
    sm.add_tags(
        ResourceArn=_config_arn(ref, state["config"]),
        Tags=[{"Key": record_key(name), "Value": _record_value(state)}],
    )
    if endpoint["EndpointStatus"] != _DELETING:
        with missing_is_gone(ref):
            sm.delete_endpoint(EndpointName=name)
    return state


def _resume(ref: ResourceRef, given: Mapping[str, str]) -> None:
    state = dict(given) or _find_record(ref)
    if state is None:
        return
    sm = client("sagemaker", region_of(ref))
    tags = orjson.loads(state.get("tags") or "{}")
    try:
        sm.create_endpoint(
            EndpointName=state["endpoint"],
            EndpointConfigName=state["config"],
            Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
        )
    except Exception as exc:
        if error_code(exc) != "ValidationException" or "already existing" not in str(exc):
            raise
        status = sm.describe_endpoint(EndpointName=state["endpoint"])["EndpointStatus"]
        if status == _DELETING:  # the decommissioned one, not yet gone: retry later
            raise
    sm.delete_tags(
        ResourceArn=_config_arn(ref, state["config"]), TagKeys=[record_key(state["endpoint"])]
    )


def _config_arn(ref: ResourceRef, config: str) -> str:
    sm = client("sagemaker", region_of(ref))
    return sm.describe_endpoint_config(EndpointConfigName=config)["EndpointConfigArn"]


def _find_record(ref: ResourceRef) -> Undo | None:
    """The endpoint config that keeps `ref`'s record, as an undo state; None if none does."""
    name = resource_name(ref)
    key = record_key(name)
    mappings = client("resourcegroupstaggingapi", region_of(ref)).get_resources(
        TagFilters=[{"Key": key}], ResourceTypeFilters=["sagemaker:endpoint-config"]
    )["ResourceTagMappingList"]
    for mapping in mappings:
        value = tag_dict(mapping["Tags"]).get(key)
        if value is not None:
            record = TAG_CODEC.decode(value)
            return {"endpoint": name, "config": record["config"], "tags": _unpacked(record)}
    return None


def _record_value(state: Undo) -> str:
    """`config=<name> tags=<base64url JSON>`: the only encoding of arbitrary tags a tag value
    accepts. Tags that do not fit are left to the audit log, with a warning."""
    kept = {"config": state["config"]}
    packed = base64.urlsafe_b64encode(state["tags"].encode()).decode().rstrip("=")
    try:
        return TAG_CODEC.encode(kept | {"tags": packed})
    except ValueError:
        log.warning(
            "tags of SageMaker endpoint %s do not fit in a tag of its config %s; "
            "only the audit log keeps them",
            state["endpoint"],
            state["config"],
        )
        return TAG_CODEC.encode(kept)


def _unpacked(record: Mapping[str, str]) -> str:
    packed = record.get("tags", "")
    return base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4)).decode() or "{}"


ENDPOINT_DECOMMISSION = Reversible(_decommission, _resume)
