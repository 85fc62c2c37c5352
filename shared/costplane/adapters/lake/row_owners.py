"""Owners of bill rows, by the attribution resources get (engine/attribution): a row's account,
resource and principal are read as a resource's, so an OpenAI project, an Anthropic API key or
a Bedrock caller has the owner the taxonomy's `owners:` mappings and defaults give it, the
same owner a cloud resource in that scope has."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache

from costplane.budgets.scopes import Subject
from costplane.domain.decisions import Owner
from costplane.domain.events import Operation, Provider, ResourceEvent
from costplane.domain.tag_keys import canonical
from costplane.engine.attribution import Attribution
from costplane.engine.ports import ResourceRef

_BILL_TIME = datetime(1970, 1, 1, tzinfo=UTC)
_PROVIDERS = frozenset(Provider)


class RowOwners:
    """The owner of what a group of rows is about; each distinct subject attributed once."""

    def __init__(self, attribution: Attribution) -> None:
        self.attribution = attribution
        self.owner = lru_cache(maxsize=65_536)(self._owner)

    def tags(self, subject: Subject, resource: str, principal: str) -> dict[str, str]:
        """The owner as tags budgets scope by: canonical taxonomy key to folded value."""
        owner = self.owner(
            subject.provider,
            subject.account,
            subject.region,
            subject.resource_type,
            resource,
            principal,
        )
        fields = self.attribution.fields(owner)
        return {canonical(key): value.casefold() for key, value in fields.items()}

    def of(self, ref: ResourceRef) -> Owner:
        """The owner of a resource a lever acts on, as its rows have it."""
        return self.owner(
            ref.provider.value,
            ref.account,
            ref.region or "",
            ref.resource_type,
            ref.resource_id,
            "",
        )

    def _owner(
        self,
        provider: str,
        account: str,
        region: str,
        resource_type: str,
        resource: str,
        principal: str,
        tags: tuple[tuple[str, str], ...] = (),
    ) -> Owner:
        """The owner from the row's own `tags` first, then its account and the mappings."""
        if provider not in _PROVIDERS:
            return Owner()
        event = ResourceEvent(
            provider=Provider(provider),
            event_id="bill",
            event_name="bill row",
            event_time=_BILL_TIME,
            account=account,
            region=region or None,
            resource_id=resource or account,
            resource_type=resource_type,
            operation=Operation.STATE,
            actor=principal or None,
        )
        return self.attribution.owner(event, dict(tags))
