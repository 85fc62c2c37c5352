"""Attribute a resource to an owner: its tags, else its account's owner, else whoever made it."""

from __future__ import annotations

from costplane.domain.decisions import Owner
from costplane.domain.events import ResourceEvent
from costplane.domain.taxonomy import Taxonomy
from costplane.tagging.check import TagCheck

_FIELDS = ("team", "cost_center", "product")


def attribute(taxonomy: Taxonomy, event: ResourceEvent, check: TagCheck) -> Owner:
    """Each owner field comes from the first source that has it, in the order the field trusts.

    The resource's own tags come first; then what its account/subscription/project says
    (inherited default tags and the owner mapping); the actor only when nothing else does.
    """
    keys = taxonomy.attribution.model_dump()
    observed = {k: v for k, v in check.resolved.items() if k not in check.inherited}
    mapping = next((m for m in reversed(taxonomy.owners) if m.scope.matches(event)), None)
    found: dict[str, str] = {}
    source = "none"
    for name, layer in (
        ("tags", {f: observed.get(keys[f]) for f in _FIELDS}),
        ("account", {f: check.inherited.get(keys[f]) for f in _FIELDS}),
        ("account", mapping.model_dump(include=set(_FIELDS)) if mapping else {}),
    ):
        for field in _FIELDS:
            if field not in found and (value := layer.get(field)):
                found[field] = value
                source = name if source == "none" else source
    if found:
        return Owner(**found, source=source)
    if event.actor:
        return Owner(contact=event.actor, source="actor")
    return Owner()
