"""Check a resource's tags against the taxonomy, after inheriting defaults for its scope."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from costplane.domain.events import ResourceEvent
from costplane.domain.tag_resolution import TagResolver
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

    def __init__(self, taxonomy: Taxonomy, resolver: TagResolver | None = None) -> None:
        self.taxonomy = taxonomy
        self.resolver = resolver or TagResolver(taxonomy)

    def check(self, event: ResourceEvent, tags: dict[str, str], today: date) -> TagCheck:
        result = TagCheck(resolved=self.resolver.resolve(tags))
        result.inherited = self.resolver.inherited(event, result.resolved)
        result.resolved.update(result.inherited)
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
