"""The built-in conditions and actions, registered by importing their modules: here rather than
in the registry, so that the registry imports none of the plug-ins that import it."""

from __future__ import annotations


def load_plugins() -> None:
    """Import the built-in conditions and actions so that they register (once; cheap after)."""
    # In this order, which is the order of the generated policy schema.
    import costplane.policy.conditions.tags  # noqa: I001
    import costplane.policy.conditions.spend
    import costplane.policy.conditions.resource
    import costplane.policy.actions.messages
    import costplane.policy.actions.resource  # noqa: F401
