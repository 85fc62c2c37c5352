"""Tags as the taxonomy names them: every spelling of a key (aliases, case, separators) mapped to
its taxonomy key, and the defaults a resource inherits from its account/subscription/project.
Tag checks and owner attribution read tags through this, so both see the same keys."""

from __future__ import annotations

from collections.abc import Mapping

from costplane.domain.events import ResourceEvent
from costplane.domain.tag_keys import canonical
from costplane.domain.taxonomy import TagKey, Taxonomy


class TagResolver:
    """Key lookups precomputed per taxonomy, so resolving costs a dict lookup per tag."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self._by_spelling: dict[str, TagKey] = {
            canonical(spelling): key
            for key in taxonomy.keys
            for spelling in (key.key, *key.aliases)
        }

    def resolve(self, tags: Mapping[str, str]) -> dict[str, str]:
        """Map observed tags onto taxonomy key names; unknown keys are kept as they are."""
        resolved: dict[str, str] = {}
        for name, value in tags.items():
            key = self._by_spelling.get(canonical(name))
            resolved[key.key if key else name] = value
        return resolved

    def defaults_for(self, event: ResourceEvent) -> dict[str, str]:
        """Inherited tags for the event's scope; later, narrower entries win."""
        inherited: dict[str, str] = {}
        for entry in self.taxonomy.defaults:
            if entry.scope.matches(event):
                inherited.update(self.resolve(entry.tags))
        return inherited

    def inherited(self, event: ResourceEvent, resolved: Mapping[str, str]) -> dict[str, str]:
        """The defaults the resource lacks (what remediation would apply)."""
        return {k: v for k, v in self.defaults_for(event).items() if k not in resolved}
