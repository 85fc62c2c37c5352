"""Every policy action declares, in `permissions["aws"]`, exactly the IAM actions its AWS
adapter calls: each action runs on moto against a resource of every type it supports (and is
resumed where it can be), its calls are recorded from the clients' event hooks, mapped to IAM
actions, and compared with the declaration both ways. The template grants from these lists;
a call missing from one is a denial in production, an extra entry is a needless grant."""

from __future__ import annotations

from contextlib import suppress

import pytest

from costplane.adapters.aws.capacity_bedrock import Irreversible
from costplane.adapters.aws.enforcer import AwsEnforcer
from costplane.domain.decisions import ActionKind
from costplane.engine.ports import ResourceRef
from costplane.policy.registry import ACTIONS
from tests.integration.aws_adapters.conftest import World
from tests.support.aws_targets import (
    ON_AWS,
    RESOURCE_TYPES,
    act,
    kind_of,
    make,
    unless_moto_lacks,
)
from tests.support.moto_iam import Session, recording


def every_path(enforcer: AwsEnforcer, kind: ActionKind, ref: ResourceRef) -> None:
    """The first run, a retried one, a resume from the record kept on the resource (no audit
    log at hand), and one from the audit log's state."""
    undo = act(enforcer, kind, ref)
    if kind is ActionKind.TAG:
        return
    act(enforcer, kind, ref)
    with suppress(Irreversible):  # a deleted Bedrock resource: resume only says so
        enforcer.resume(ref, kind, {})
        enforcer.resume(ref, kind, undo)


def called(world: World, session: Session, key: str) -> set[str]:
    """The IAM actions of the calls `key` makes on each resource type it supports."""
    kind = kind_of(key)
    enforcer = AwsEnforcer()
    for resource_type in RESOURCE_TYPES:
        if enforcer.supports(kind, resource_type):
            world.reset()
            ref = make(world, resource_type)
            with recording(session), unless_moto_lacks(resource_type):
                every_path(enforcer, kind, ref)
    return session.actions()


@pytest.mark.parametrize("key", ON_AWS)
def test_an_action_declares_exactly_the_aws_calls_it_makes(world, iam_session, key):
    declared = set(ACTIONS[key].permissions["aws"])

    made = called(world, iam_session, key)

    assert (sorted(made - declared), sorted(declared - made)) == ([], [])
