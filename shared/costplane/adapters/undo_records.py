"""Undo records for resources that carry no tags (AI vendors' projects, workspaces and keys),
kept in the plane's own records store beside claims and decisions.

`engine.undo` keeps what undoes an action on the resource itself, so that a repeated action
returns the first one's state and a resume works when the audit log is lost. An OpenAI project
or an Anthropic workspace has no tags, so the record goes to the plane's `Records` (SQLite,
DynamoDB, Table storage, Firestore): one record per resource, one field per action kind
(`throttle`, `suspend`, `decommission`: field names every backend accepts). A resource's
previous rate limits can be long, hence a codec with room for a few hundred models.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from costplane.adapters.records import Records
from costplane.domain.decisions import ActionKind
from costplane.engine.ports import ResourceRef
from costplane.engine.undo import StateCodec, TagRecord

UNDO = "undo"
KINDS = frozenset(
    kind.value for kind in (ActionKind.THROTTLE, ActionKind.SUSPEND, ActionKind.DECOMMISSION)
)
# Azure Table storage holds 32K characters in a string property, the smallest of the backends.
RECORD_CODEC = StateCodec(" ", "=", re.compile(r"[\w.:/+@-]+"), 30_000)


def _key(ref: ResourceRef) -> str:
    return f"{ref.provider.value}:{ref.resource_type}:{ref.resource_id}"


def _field(_ref: ResourceRef, kind: ActionKind) -> str:
    return kind.value


class RecordedUndo:
    """Reads, adds and removes a resource's undo records as if they were its tags."""

    def __init__(self, records: Records) -> None:
        self.records = records

    def read(self, ref: ResourceRef) -> dict[str, str]:
        found = self.records.read(UNDO, _key(ref))
        if found is None:
            return {}
        return {k: str(v) for k, v in found.fields.items() if k in KINDS}

    def add(self, ref: ResourceRef, values: Mapping[str, str]) -> None:
        self.records.put(UNDO, _key(ref), {**self.read(ref), **values})

    def remove(self, ref: ResourceRef, keys: Iterable[str]) -> None:
        left = {k: v for k, v in self.read(ref).items() if k not in set(keys)}
        if left:
            self.records.put(UNDO, _key(ref), dict(left))
        else:
            self.records.delete(UNDO, _key(ref))

    def tag_record(self) -> TagRecord:
        return TagRecord(self.read, self.add, self.remove, RECORD_CODEC, _field)
