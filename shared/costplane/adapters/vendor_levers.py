"""What the AI vendors' enforcers share: which levers a resource type has, levers that cannot
be undone, and an inventory for resources that carry no tags.

Nothing here imports an HTTP client: the local plane names the same levers. A lever is named in
a table (action kind → resource type → what it does); `supports` answers from it, so a policy
asking for an action a type lacks is told "not possible on <type>" in its decision instead of
attempting it. An irreversible lever (an archived project, a deleted key)
returns state saying so and the lever pulled; a resume of it is refused as impossible, not
retried.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from costplane.domain.decisions import ActionKind
from costplane.domain.errors import ActionImpossible
from costplane.engine.executor import NOTIFYING
from costplane.engine.ports import ResourceGone, ResourceRef
from costplane.engine.undo import Reversible, Undo


@dataclass(frozen=True, slots=True)
class Lever:
    """What an action does to a resource type at the vendor, and whether a resume undoes it."""

    what: str
    undoable: bool = True

    def state(self) -> dict[str, str]:
        """What an action's undo state says of the lever it pulled."""
        if self.undoable:
            return {"lever": self.what}
        return {"lever": self.what, "reversible": "false"}


Levers = Mapping[ActionKind, Mapping[str, Lever]]
LEVER_KEYS = frozenset({"lever", "reversible"})


class CannotUndo(ActionImpossible):
    """The action taken has no inverse in the vendor's API."""


def lever_supports(levers: Levers, prefix: str, kind: ActionKind, resource_type: str) -> bool:
    if not resource_type.startswith(prefix):
        return False
    return kind in NOTIFYING or resource_type in levers.get(kind, {})


def lever_of(levers: Levers, kind: ActionKind, resource_type: str) -> Lever | None:
    return levers.get(kind, {}).get(resource_type)


def irreversible(act: Callable[[ResourceRef], None], lever: Lever) -> Reversible:
    """Act once; a resource already gone is what the act wanted (`found: false` says so)."""

    def run(ref: ResourceRef) -> Undo:
        try:
            act(ref)
        except ResourceGone:
            return {"found": "false"}
        return {}

    def undo(ref: ResourceRef, _state: Mapping[str, str]) -> None:
        raise CannotUndo(f"{ref.resource_type} {ref.resource_id}: {lever.what}")

    return Reversible(run, undo)


class NoTags:
    """The inventory of a vendor whose resources carry no tags: owners come from the taxonomy's
    account mappings (`Scope(provider="openai", account="proj_…")`), not from tags."""

    def get_tags(self, ref: ResourceRef) -> dict[str, str]:
        return {}
