"""Budget scopes matched the way policy scopes are: globs on provider, account, region and
resource type; tag values compared across spellings of the key and case-insensitively; for
AI spend, globs on the model and the API key too.

The same matcher serves an event's resource (run-rate) and a group of lake rows (actuals),
so a budget covers the same things whichever way its spend is measured.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from costplane.domain.budgets import BudgetScope
from costplane.domain.events import ResourceEvent
from costplane.domain.tag_keys import canonical
from costplane.domain.taxonomy import PolicyScope


@dataclass(frozen=True, slots=True)
class Subject:
    """What a scope is matched against; `tags` maps canonical keys to case-folded values.
    `model` and `api_key` are empty but on AI rows, so a scope naming them matches only those."""

    provider: str
    account: str
    region: str
    resource_type: str
    tags: Mapping[str, str]
    model: str = ""
    api_key: str = ""

    @classmethod
    def of(cls, event: ResourceEvent, tags: Mapping[str, str] | None = None) -> Subject:
        seen = event.tags if tags is None else tags
        return cls(
            provider=event.provider.value,
            account=event.account,
            region=event.region or "",
            resource_type=event.resource_type,
            tags=fold_tags(seen or {}),
        )


def fold_tags(tags: Mapping[str, str]) -> dict[str, str]:
    return {canonical(key): value.casefold() for key, value in tags.items()}


class ScopeMatcher:
    """One scope, compiled once: matching is then a few regex calls and dict lookups."""

    def __init__(self, scope: PolicyScope) -> None:
        globs = {
            "provider": scope.provider,
            "account": scope.account,
            "region": scope.region,
            "resource_type": scope.resource_type,
        }
        self._globs: tuple[tuple[str, Callable[[str], object]], ...] = tuple(
            (field, re.compile(fnmatch.translate(glob)).match)
            for field, glob in globs.items()
            if glob is not None
        )
        if isinstance(scope, BudgetScope):
            self._globs += tuple(
                (field, _present(re.compile(fnmatch.translate(glob)).match))
                for field, glob in (("model", scope.model), ("api_key", scope.api_key))
                if glob is not None
            )
        self.tags = fold_tags(scope.tags)
        self.uses_resource_type = scope.resource_type is not None

    def matches(self, subject: Subject) -> bool:
        if not all(match(getattr(subject, field)) for field, match in self._globs):
            return False
        return all(subject.tags.get(key) == value for key, value in self.tags.items())


def _present(match: Callable[[str], object]) -> Callable[[str], object]:
    """A glob on an AI field: never matches a row that is not AI (the field empty)."""
    return lambda value: bool(value) and match(value)
