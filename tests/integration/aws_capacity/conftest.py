"""The moto world of the AWS adapter tests, plus the resources only capacity actions need."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from costplane.adapters.aws.enforcer import AwsEnforcer
from tests.integration.aws_adapters.conftest import (  # noqa: F401  (fixtures, by name)
    AMI,
    World,
    _fresh_clients,
    _world_clients,
    pairs,
    world,
)
from tests.support.aws_targets import auto_scaling_group


@pytest.fixture
def enforcer() -> AwsEnforcer:
    return AwsEnforcer()


@dataclass(frozen=True)
class Group:
    name: str
    arn: str


@pytest.fixture
def group(world: World) -> Group:  # noqa: F811  (the imported fixture)
    """An Auto Scaling group of min 1, max 4, desired 2, running its two instances."""
    return Group("web", auto_scaling_group(world))
