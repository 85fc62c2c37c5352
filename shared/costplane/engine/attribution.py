"""Attribute a resource to an owner: its tags, else its account's owner, else whoever made it.

Every service that decides about a resource (the tag enforcer, the policy runner) attributes it
here, by the same code, so one resource has one owner whichever path saw it.
"""

from __future__ import annotations

from collections.abc import Mapping

from costplane.domain.decisions import Owner
from costplane.domain.events import ResourceEvent
from costplane.domain.tag_resolution import TagResolver
from costplane.domain.taxonomy import Taxonomy

_FIELDS = ("team", "cost_center", "product")


class Attribution:
    """Each owner field comes from the first source that has it, in the order the field trusts:
    the resource's own tags; then what its account/subscription/project says (inherited
    default tags, then the owner mapping); the actor only when nothing else does."""

    def __init__(self, taxonomy: Taxonomy, resolver: TagResolver | None = None) -> None:
        self.taxonomy = taxonomy
        self.resolver = resolver or TagResolver(taxonomy)
        self._keys = taxonomy.attribution.model_dump()

    def owner(self, event: ResourceEvent, tags: Mapping[str, str]) -> Owner:
        """The owner of the resource carrying `tags` (as observed, in any spelling)."""
        observed = self.resolver.resolve(tags)
        return self.owner_of(event, observed, self.resolver.inherited(event, observed))

    def owner_of(
        self, event: ResourceEvent, observed: Mapping[str, str], inherited: Mapping[str, str]
    ) -> Owner:
        """The owner from tags already resolved to taxonomy keys, and the defaults inherited."""
        keys = self._keys
        mapping = next((m for m in reversed(self.taxonomy.owners) if m.covers(event)), None)
        found: dict[str, str] = {}
        source = "none"
        for name, layer in (
            ("tags", {f: observed.get(keys[f]) for f in _FIELDS}),
            ("account", {f: inherited.get(keys[f]) for f in _FIELDS}),
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

    def fields(self, owner: Owner) -> dict[str, str]:
        """The owner's team, cost centre and product under the taxonomy's keys for them."""
        values = owner.model_dump(include=set(_FIELDS))
        return {self._keys[f]: value for f in _FIELDS if (value := values.get(f))}
