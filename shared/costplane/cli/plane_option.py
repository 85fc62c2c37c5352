"""The `--plane` option of the commands that read a deployed plane's stores."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer


class Plane(StrEnum):
    LOCAL = "local"
    AWS = "aws"
    AZURE = "azure"
    GCP = "gcp"


PlaneOption = Annotated[
    Plane,
    typer.Option(help="Whose stores and resources: local, or a deployed cloud's (its settings)."),
]
