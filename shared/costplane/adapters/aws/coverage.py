"""The AWS rows of the coverage table, from the registries: governed types, the CloudTrail
calls' catalogue, AWS Config and `aws.tag`, and what `AwsEnforcer.supports` answers."""

from __future__ import annotations

from costplane.adapters.aws.cloudtrail_services import ANY_TYPE, CATALOGUE
from costplane.adapters.aws.enforcer import AwsEnforcer
from costplane.adapters.aws.governed import ARN_ADDRESSED, GOVERNED
from costplane.adapters.coverage import ACTIONS, CoverageRow, add_unique
from costplane.domain.events import Operation

CLOUDTRAIL = "CloudTrail"
CONFIG = "AWS Config"
TAG_CHANGES = "aws.tag"
_COLUMNS = {Operation.CREATE: "create", Operation.TAG: "tag", Operation.DELETE: "delete"}


def rows() -> list[CoverageRow]:
    enforcer = AwsEnforcer()
    return [_row(governed.resource_type, governed.config_type, enforcer) for governed in GOVERNED]


def cloudtrail_create_types() -> set[str]:
    """The governed types a CloudTrail create call reports within seconds (the fast path)."""
    return {
        governed.resource_type
        for governed in GOVERNED
        if any(
            operation is Operation.CREATE and _matches(kind, governed.resource_type)
            for kind, operation in CATALOGUE.values()
        )
    }


def _row(resource_type: str, config_type: str | None, enforcer: AwsEnforcer) -> CoverageRow:
    row = CoverageRow("aws", resource_type)
    for (_, name), (kind, operation) in sorted(CATALOGUE.items(), key=lambda item: item[0][1]):
        column = _COLUMNS.get(operation)
        if column is not None and kind != ANY_TYPE and _matches(kind, resource_type):
            add_unique(getattr(row, column), name)
            add_unique(row.feeds, CLOUDTRAIL)
    if resource_type in ARN_ADDRESSED and not row.tag:
        generic = sorted(name for (source, name) in CATALOGUE if source == ANY_TYPE)
        add_unique(row.tag, *generic)
        add_unique(row.feeds, CLOUDTRAIL)
    if config_type:
        row.create.append(f"{CONFIG} {config_type} CREATE")
        row.tag.append(f"{CONFIG} {config_type} UPDATE")
        row.delete.append(f"{CONFIG} {config_type} DELETE")
        row.feeds.append(CONFIG)
    row.tag.append("Tag Change on Resource")
    row.feeds.append(TAG_CHANGES)
    row.actions = [kind.value for kind in ACTIONS if enforcer.supports(kind, resource_type)]
    return row


def _matches(pattern: str, resource_type: str) -> bool:
    """`aws.ec2.*` matches every EC2 type; any other pattern only itself."""
    if pattern.endswith(".*"):
        return resource_type.startswith(pattern[:-1])
    return pattern == resource_type
