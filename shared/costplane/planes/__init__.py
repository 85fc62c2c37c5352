"""The planes: `local`, `aws`, `azure` and `gcp`. Each builds its whole runtime from settings
(ports, state, budget and approval stores, the lake, chat, metrics), and nothing else in
costplane wires anything.

`load_plane` looks a plane up in `AVAILABLE_PLANES`, a typed table of loaders that import the
plane's module only when it is used (the shape of pyiceberg's `AVAILABLE_CATALOGS`): a Lambda of
the AWS plane never imports Azure's code, and mypy and import-linter see every import.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from costplane.config import PlaneName, Settings

if TYPE_CHECKING:
    from costplane.planes.base import Plane


def _local(settings: Settings) -> Plane:
    from costplane.planes.local import LocalPlane

    return LocalPlane(settings)


def _aws(settings: Settings) -> Plane:
    from costplane.planes.aws import AwsPlane

    return AwsPlane(settings)


def _azure(settings: Settings) -> Plane:
    from costplane.planes.azure import AzurePlane

    return AzurePlane(settings)


def _gcp(settings: Settings) -> Plane:
    from costplane.planes.gcp import GcpPlane

    return GcpPlane(settings)


AVAILABLE_PLANES: dict[PlaneName, Callable[[Settings], Plane]] = {
    "local": _local,
    "aws": _aws,
    "azure": _azure,
    "gcp": _gcp,
}


def load_plane(name: PlaneName, settings: Settings) -> Plane:
    """The plane `settings.plane` names (a function's cloud can be overridden with
    COSTPLANE_PLANE, e.g. `local` in tests), else `name`."""
    return AVAILABLE_PLANES[settings.plane or name](settings)
