"""The local plane's resources, kept in its SQLite state file beside claims and decisions: the
tags its enforcer applied (remediation, marks) outlive the process, so that a later command,
`costplane marks sweep` among them, finds the marks an earlier one wrote."""

from __future__ import annotations

from collections.abc import Mapping

import orjson

from costplane.adapters.local.sqlite import SqliteRecords
from costplane.domain.events import Provider
from costplane.engine.ports import ResourceRef
from costplane.tagging.ports import MarkedResource, MarkPage

RESOURCE = "resource"


class LocalResources:
    """One record per resource: its address and its tags as the local enforcer left them."""

    def __init__(self, records: SqliteRecords) -> None:
        self.records = records

    def tags_of(self, resource_id: str) -> dict[str, str] | None:
        found = self.records.read(RESOURCE, resource_id)
        return None if found is None else _tags(found.fields["tags"])

    def save(self, ref: ResourceRef, tags: Mapping[str, str]) -> None:
        self.records.put(
            RESOURCE,
            ref.resource_id,
            {
                **ref.model_dump(mode="json", exclude={"region"}),
                "region": ref.region or "",
                "tags": orjson.dumps(dict(tags)).decode(),
            },
        )

    def carrying(self, tag: str) -> list[MarkedResource]:
        found = []
        for fields in self.records.of_kind(RESOURCE):
            tags = _tags(fields["tags"])
            if tag in tags:
                ref = ResourceRef(
                    provider=Provider(str(fields["provider"])),
                    account=str(fields["account"]),
                    region=str(fields["region"]) or None,
                    resource_id=str(fields["resource_id"]),
                    resource_type=str(fields["resource_type"]),
                )
                found.append(MarkedResource(ref, tags))
        return found


class LocalMarkedResources:
    """MarkFinder over the local plane's kept resources: one scope, one page."""

    def __init__(self, resources: LocalResources, tag: str) -> None:
        self.resources = resources
        self.tag = tag

    def scopes(self) -> list[str]:
        return ["local"]

    def page(self, scope: str, token: str | None) -> MarkPage:
        return MarkPage(self.resources.carrying(self.tag), None, calls=1)


def _tags(value: object) -> dict[str, str]:
    loaded = orjson.loads(str(value))
    return {str(k): str(v) for k, v in loaded.items()}
