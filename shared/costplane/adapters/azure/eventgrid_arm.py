"""ARM resource ids, as Event Grid puts them in `subject`: which subscription, which resource type.

Types are normalised as `azure.<namespace without "Microsoft.">.<type>[.<child type>...]`, all
lowercase, each type segment singularised by simple English rules (not a dictionary):
`.../providers/Microsoft.Compute/virtualMachines/vm1` is `azure.compute.virtualmachine`,
`.../providers/Microsoft.Sql/servers/s1/databases/db1` is `azure.sql.server.database`.
A resource group is `azure.resources.resourcegroup`, a subscription `azure.resources.subscription`.
Extension resources (`<parent>/providers/<ns>/<type>/<name>`) take the type of the last provider.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from costplane.domain.errors import EventRejected, Rejection
from costplane.domain.naming import singular

TAGS_SUFFIX = "/providers/microsoft.resources/tags/default"


@dataclass(frozen=True, slots=True)
class ArmResource:
    subscription: str
    resource_id: str
    resource_type: str


@lru_cache(maxsize=1024)
def normalised_type(namespace: str, types: tuple[str, ...]) -> str:
    """Cached: a plane sees a few hundred distinct types, millions of events."""
    provider = namespace.lower().removeprefix("microsoft.")
    return ".".join(("azure", provider, *(singular(t.lower()) for t in types)))


def tagged_scope(resource_id: str) -> str:
    """The resource whose tags a `Microsoft.Resources/tags/default` id addresses."""
    if resource_id.lower().endswith(TAGS_SUFFIX):
        return resource_id[: -len(TAGS_SUFFIX)]
    return resource_id


def parse_arm_id(resource_id: str) -> ArmResource:
    """Split an ARM id; raise EventRejected(`invalid_field`) when it is not one."""
    parts = resource_id.strip("/").split("/")
    if len(parts) < 2 or parts[0].lower() != "subscriptions" or not parts[1]:
        raise EventRejected(
            Rejection.INVALID_FIELD,
            f"{resource_id!r} is not a subscription-scoped ARM resource id",
            provider="azure",
        )
    subscription = parts[1]
    lowered = [p.lower() for p in parts]
    if "providers" not in lowered:
        return ArmResource(subscription, resource_id, _container_type(resource_id, lowered))
    start = len(lowered) - 1 - lowered[::-1].index("providers")
    namespace, rest = parts[start + 1 : start + 2], parts[start + 2 :]
    if not namespace or not rest or len(rest) % 2:
        raise EventRejected(
            Rejection.INVALID_FIELD,
            f"{resource_id!r} does not end in a <type>/<name> pair after its provider namespace",
            provider="azure",
        )
    return ArmResource(subscription, resource_id, normalised_type(namespace[0], tuple(rest[::2])))


def _container_type(resource_id: str, lowered: list[str]) -> str:
    if len(lowered) == 2:
        return "azure.resources.subscription"
    if len(lowered) == 4 and lowered[2] == "resourcegroups" and lowered[3]:
        return "azure.resources.resourcegroup"
    raise EventRejected(
        Rejection.INVALID_FIELD,
        f"{resource_id!r} names neither a resource, a resource group nor a subscription",
        provider="azure",
    )
