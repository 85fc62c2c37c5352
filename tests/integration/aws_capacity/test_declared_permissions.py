"""Every policy action declares, in `permissions["aws"]`, exactly the IAM actions its AWS
adapter calls: each action runs on moto against a resource of every type it supports (and is
resumed where it can be), its calls are recorded from the clients' event hooks, mapped to IAM
actions, and compared with the declaration both ways. The template grants from these lists;
a call missing from one is a denial in production, an extra entry is a needless grant."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext, suppress

import pytest

from costplane.adapters.aws.enforcer import AwsEnforcer
from costplane.domain.decisions import ActionKind
from costplane.engine.ports import ResourceGone, ResourceRef
from costplane.policy.plugins import load_plugins
from costplane.policy.registry import ACTIONS
from tests.integration.aws_adapters.conftest import UNTAGGABLE_IN_MOTO, World
from tests.support.aws_targets import RESOURCE_TYPES, make
from tests.support.moto_iam import Session, recording

load_plugins()
ON_AWS = sorted(key for key, action in ACTIONS.items() if action.permissions.get("aws"))
_KINDS = {"mark-for-op": ActionKind.TAG}  # a mark is a tag; its op runs later, as its own kind


def _run(enforcer: AwsEnforcer, kind: ActionKind, ref: ResourceRef) -> None:
    """Every path of the action: the first run, a retried one, a resume from the record kept
    on the resource (no audit log at hand), and one from the audit log's state."""
    if kind is ActionKind.TAG:
        enforcer.tag(ref, {"costplane-reviewed": "true"})
        return
    act = getattr(enforcer, kind.value)
    undo = act(ref)
    act(ref)
    enforcer.resume(ref, kind, {})
    enforcer.resume(ref, kind, undo)


def _unless_moto_lacks(resource_type: str) -> AbstractContextManager[None]:
    """moto cannot tag EKS nodegroups: the call is made (and recorded), then answered 404."""
    return suppress(ResourceGone) if resource_type in UNTAGGABLE_IN_MOTO else nullcontext()


def called(world: World, session: Session, key: str) -> set[str]:
    """The IAM actions of the calls `key` makes on each resource type it supports."""
    kind = _KINDS.get(key) or ActionKind(key)
    enforcer = AwsEnforcer()
    for resource_type in RESOURCE_TYPES:
        if enforcer.supports(kind, resource_type):
            world.reset()
            ref = make(world, resource_type)
            with recording(session), _unless_moto_lacks(resource_type):
                _run(enforcer, kind, ref)
    return session.actions()


@pytest.mark.parametrize("key", ON_AWS)
def test_an_action_declares_exactly_the_aws_calls_it_makes(world, iam_session, key):
    declared = set(ACTIONS[key].permissions["aws"])

    made = called(world, iam_session, key)

    assert (sorted(made - declared), sorted(declared - made)) == ([], [])
