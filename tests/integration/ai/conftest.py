"""The admission table on the moto server, its DynamoDB calls serialised as DynamoDB's are."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.admission_table import create_admission_table


@pytest.fixture
def admission_table(aws_env: str, serialised_moto: None) -> Iterator[str]:
    from costplane.adapters.aws import clients

    clients.reset()
    yield create_admission_table(aws_env)
    clients.reset()
