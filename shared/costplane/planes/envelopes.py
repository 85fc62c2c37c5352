"""Importers of each cloud's envelope parsers (which register on import and load no SDK)."""

from __future__ import annotations


def aws() -> None:
    from costplane.adapters.aws import events  # noqa: F401


def azure() -> None:
    from costplane.adapters.azure import events  # noqa: F401


def gcp() -> None:
    from costplane.adapters.gcp import events  # noqa: F401


EVERY_CLOUD = (aws, azure, gcp)


def register_every_cloud() -> None:
    """Every cloud's parsers: what the embedded plane and the CLI replay."""
    for register in EVERY_CLOUD:
        register()
