"""One row of the coverage table: what sees a resource type, through which feed, and what the
plane can do to it. Each provider's `coverage` module builds its rows from its registries."""

from __future__ import annotations

from dataclasses import dataclass, field

from costplane.domain.decisions import ActionKind

ACTIONS = tuple(
    kind
    for kind in ActionKind
    if kind not in (ActionKind.NOTIFY, ActionKind.REQUEST_APPROVAL, ActionKind.ESCALATE)
)
"""The actions on resources (people can be notified about any type, so those are not listed)."""


@dataclass(slots=True)
class CoverageRow:
    provider: str
    resource_type: str
    create: list[str] = field(default_factory=list)
    tag: list[str] = field(default_factory=list)
    delete: list[str] = field(default_factory=list)
    feeds: list[str] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)

    def covers(self, resource_type: str) -> bool:
        """Whether this row governs `resource_type` (a row may name `<prefix>.*`)."""
        if self.resource_type.endswith("*"):
            return resource_type.startswith(self.resource_type[:-1])
        return resource_type == self.resource_type


def add_unique(values: list[str], *more: str) -> None:
    for value in more:
        if value not in values:
            values.append(value)
