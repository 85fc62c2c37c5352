"""The built-in normalisers (importing this package registers each by source name), and the
lookups ingestion uses: here rather than in the registry, so that looking a source up always
finds the built-ins and the registry imports none of them."""

from __future__ import annotations

from costplane.billing.focus.errors import UnknownSourceError
from costplane.billing.focus.registry import Normaliser, registered
from costplane.billing.focus.sources import anthropic, aws, azure, focus_files, gcp, oci, openai

__all__ = [
    "anthropic",
    "aws",
    "azure",
    "focus_files",
    "gcp",
    "get_normaliser",
    "normaliser_names",
    "oci",
    "openai",
]


def get_normaliser(name: str) -> Normaliser:
    """The normaliser for `name`; an unknown name raises UnknownSourceError listing valid ones."""
    try:
        return registered()[name]
    except KeyError:
        raise UnknownSourceError(name, normaliser_names()) from None


def normaliser_names() -> list[str]:
    return sorted(registered())
