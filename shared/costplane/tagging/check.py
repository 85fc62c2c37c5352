"""Check a resource's tags against the taxonomy, after inheriting defaults for its scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from costplane.domain.events import ResourceEvent
from costplane.domain.tag_keys import canonical
from costplane.domain.taxonomy import Exemption, TagKey, Taxonomy


@dataclass(slots=True)
class TagCheck:
    """The result of a check.

    `resolved` maps taxonomy keys to the values that count (observed, else inherited);
    `inherited` holds the defaults that the resource lacks and remediation would apply.
    """

    resolved: dict[str, str] = field(default_factory=dict)
    inherited: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    invalid: dict[str, str] = field(default_factory=dict)
    exemption: Exemption | None = None

    @property
    def compliant(self) -> bool:
        return self.exemption is not None or not (self.missing or self.invalid)


class TagChecker:
    """Checks tags in a few microseconds: key lookups are precomputed per taxonomy."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self._by_spelling: dict[str, TagKey] = {
            canonical(spelling): key
            for key in taxonomy.keys
            for spelling in (key.key, *key.aliases)
        }

    def resolve(self, tags: dict[str, str]) -> dict[str, str]:
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

    def check(self, event: ResourceEvent, tags: dict[str, str], today: date) -> TagCheck:
        result = TagCheck(resolved=self.resolve(tags))
        for name, value in self.defaults_for(event).items():
            if name not in result.resolved:
                result.inherited[name] = value
                result.resolved[name] = value
        for key in self.taxonomy.keys:
            if not key.applies(event.resource_type):
                continue
            observed = result.resolved.get(key.key)
            if observed is None or not observed.strip():
                if key.required:
                    result.missing.append(key.key)
                continue
            if problem := _invalid(key, observed):
                result.invalid[key.key] = problem
        result.exemption = next(
            (ex for ex in self.taxonomy.exemptions if ex.covers(event, today)), None
        )
        return result


def _invalid(key: TagKey, value: str) -> str | None:
    if key.allowed is not None and value.casefold() not in key.allowed_folded:
        return f"{value!r} is not one of {', '.join(key.allowed)}"
    if key.regex is not None and not key.regex.fullmatch(value):
        return f"{value!r} does not match {key.pattern}"
    return None
