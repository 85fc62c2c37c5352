"""Reading CloudTrail's JSON shapes: required fields, EC2 item sets, tag lists, ARNs.

Every failure raises EventRejected naming the exact path that is missing or mistyped
(`responseElements.instancesSet.items[0].instanceId is missing`), so a bad record is
reported precisely and never crashes the batch it came in.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from costplane.adapters.aws.arns import partition
from costplane.domain.errors import EventRejected, Rejection

Record = Mapping[str, Any]

# EC2 id prefix -> the resource-type segment of the resource's ARN.
_EC2_ID_TYPES = {
    "i": "instance",
    "vol": "volume",
    "snap": "snapshot",
    "ami": "image",
    "sg": "security-group",
    "nat": "natgateway",
    "vpc": "vpc",
    "subnet": "subnet",
    "eni": "network-interface",
    "igw": "internet-gateway",
    "eipalloc": "elastic-ip",
    "rtb": "route-table",
    "lt": "launch-template",
    "tgw": "transit-gateway",
    "vpce": "vpc-endpoint",
    "acl": "network-acl",
    "dopt": "dhcp-options",
    "key": "key-pair",
}

# ARN service names whose costplane name differs (ELBv2 shares `elasticloadbalancing`).
_SERVICE_ALIASES = {"elasticloadbalancing": "elbv2"}
_CLASSIC_ELB_PREFIXES = ("app/", "net/", "gwy/")


class Arn(NamedTuple):
    partition: str
    service: str
    region: str
    account: str
    resource: str


def missing(path: str) -> EventRejected:
    return EventRejected(Rejection.MISSING_FIELD, f"{path} is missing")


def mistyped(path: str, value: Any, expected: str) -> EventRejected:
    kind = "null" if value is None else type(value).__name__
    return EventRejected(Rejection.INVALID_FIELD, f"{path} is {kind}, expected {expected}")


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def obj(parent: Record, key: str, path: str = "") -> Record:
    """`parent[key]` as a JSON object; `path` names `parent` in error messages."""
    value = parent.get(key)
    if isinstance(value, dict):
        return value
    if value is None:
        raise missing(join(path, key))
    raise mistyped(join(path, key), value, "an object")


def text(parent: Record, key: str, path: str = "") -> str:
    value = parent.get(key)
    if isinstance(value, str) and value:
        return value
    if value is None:
        raise missing(join(path, key))
    raise mistyped(join(path, key), value, "a non-empty string")


def opt_text(parent: Any, key: str) -> str | None:
    """`parent[key]` if it is a non-empty string, else None; for fields that are optional."""
    value = parent.get(key) if isinstance(parent, dict) else None
    return value if isinstance(value, str) and value else None


def items(parent: Record, key: str, path: str) -> list[Record]:
    """EC2's `"<x>Set": {"items": [...]}` lists, each item an object."""
    found = obj(parent, key, path).get("items")
    where = f"{join(path, key)}.items"
    if not isinstance(found, list):
        raise missing(where) if found is None else mistyped(where, found, "a list")
    for index, item in enumerate(found):
        if not isinstance(item, dict):
            raise mistyped(f"{where}[{index}]", item, "an object")
    return found


def texts(entries: list[Record], key: str, path: str) -> list[str]:
    return [text(item, key, f"{path}[{index}]") for index, item in enumerate(entries)]


def tag_map(value: Any, path: str) -> dict[str, str]:
    """Tags as AWS APIs spell them: a `{key: value}` map or a list of key/value pairs.

    Pairs may be `{key, value}` (EC2, RDS, ELBv2, SageMaker in CloudTrail), `{Key, Value}`
    or `{tagKey, tagValue}` (KMS); a missing value is the empty string, as AWS stores it.
    """
    if isinstance(value, dict):
        return {str(k): _tag_value(v, f"{path}.{k}") for k, v in value.items()}
    if isinstance(value, list):
        return dict(_pair(pair, f"{path}[{index}]") for index, pair in enumerate(value))
    raise mistyped(path, value, "a tag map or a list of key/value pairs")


def tag_keys(value: Any, path: str) -> tuple[str, ...]:
    """The keys of a tag list whose values may be absent (EC2 DeleteTags)."""
    if not isinstance(value, list):
        raise mistyped(path, value, "a list of tags")
    return tuple(_pair(pair, f"{path}[{index}]")[0] for index, pair in enumerate(value))


def optional_tags(params: Record, key: str, path: str) -> dict[str, str]:
    """Tags a create request carried; CloudTrail records the whole request, so none means {}."""
    value = params.get(key)
    return {} if value is None else tag_map(value, f"{path}.{key}")


def _pair(pair: Any, path: str) -> tuple[str, str]:
    if not isinstance(pair, dict):
        raise mistyped(path, pair, "a key/value object")
    for key_name, value_name in (("key", "value"), ("Key", "Value"), ("tagKey", "tagValue")):
        if key_name in pair:
            key = pair[key_name]
            if not isinstance(key, str):
                raise mistyped(f"{path}.{key_name}", key, "a string")
            return key, _tag_value(pair.get(value_name), f"{path}.{value_name}")
    raise missing(f"{path}.key")


def _tag_value(value: Any, path: str) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    raise mistyped(path, value, "a string")


def parse_arn(value: str, path: str) -> Arn:
    parts = value.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or not parts[2] or not parts[5]:
        raise EventRejected(Rejection.INVALID_FIELD, f"{path} {value!r} is not an ARN")
    return Arn(parts[1], parts[2], parts[3], parts[4], parts[5])


def type_of_arn(arn: Arn) -> str:
    """`aws.<service>.<resource type>` from the ARN's own resource-type segment."""
    resource = arn.resource
    cut = min((i for i in (resource.find(":"), resource.find("/")) if i >= 0), default=-1)
    kind = resource[:cut] if cut >= 0 else resource
    service = _SERVICE_ALIASES.get(arn.service, arn.service)
    if arn.service == "elasticloadbalancing" and kind == "loadbalancer":
        is_v2 = resource[len(kind) + 1 :].startswith(_CLASSIC_ELB_PREFIXES)
        service = "elbv2" if is_v2 else "elb"
    return f"aws.{service}.{kind}"


def type_of_ec2_id(resource_id: str) -> str:
    prefix = resource_id.partition("-")[0]
    return f"aws.ec2.{_EC2_ID_TYPES.get(prefix, prefix)}"


def build_arn(service: str, region: str, account: str, resource: str) -> str:
    return f"arn:{partition(region)}:{service}:{region}:{account}:{resource}"
