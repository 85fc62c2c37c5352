"""Attribute a resource to an owner: its tags, else its account's owner, else whoever made it."""

from __future__ import annotations

from costplane.domain.decisions import Owner
from costplane.domain.events import ResourceEvent
from costplane.domain.taxonomy import Taxonomy


def attribute(taxonomy: Taxonomy, event: ResourceEvent, resolved_tags: dict[str, str]) -> Owner:
    keys = taxonomy.attribution
    from_tags = Owner(
        team=resolved_tags.get(keys.team),
        cost_center=resolved_tags.get(keys.cost_center),
        product=resolved_tags.get(keys.product),
        source="tags",
    )
    mapping = next((m for m in reversed(taxonomy.owners) if m.scope.matches(event)), None)
    if mapping is not None:
        from_tags = Owner(
            team=from_tags.team or mapping.team,
            cost_center=from_tags.cost_center or mapping.cost_center,
            product=from_tags.product or mapping.product,
            source="tags" if _any(from_tags) else "account",
        )
    if _any(from_tags):
        return from_tags
    if event.actor:
        return Owner(contact=event.actor, source="actor")
    return Owner()


def _any(owner: Owner) -> bool:
    return bool(owner.team or owner.cost_center or owner.product)
