"""The mark sweep on the AWS plane, against the moto server: GetResources with a tag filter finds
the marked instances, the due ones are stopped and unmarked, the others left or cleared, and
every call it makes is one its function's role grants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from costplane import bootstrap
from costplane.adapters.aws import clients
from costplane.adapters.aws.marked import AwsMarkedResources, ref_of_arn
from costplane.config import Settings
from costplane.domain.decisions import ActionKind
from costplane.domain.marks import Mark
from costplane.tagging.sweep import MarkSweep
from tests.functions.aws.sam_template import resource

MARK = "costplane-op"


def mark(at: datetime) -> str:
    return Mark(ActionKind.STOP, at).encode()


@pytest.fixture
def sweep(state_tables, monkeypatch) -> MarkSweep:
    claims, decisions = state_tables
    monkeypatch.setenv("COSTPLANE_CLAIMS_TABLE", claims)
    monkeypatch.setenv("COSTPLANE_DECISIONS_TABLE", decisions)
    monkeypatch.setenv("COSTPLANE_SWEEP_REGIONS", '["us-east-1"]')
    monkeypatch.delenv("AWS_LAMBDA_FUNCTION_NAME", raising=False)
    return bootstrap.mark_sweep(Settings(mode="enforce"), plane="aws")


@pytest.fixture
def marked(world):
    """Four instances marked for a stop: due, not yet due, now compliant, and terminated."""
    past = datetime.now(UTC) - timedelta(minutes=5)
    future = datetime.now(UTC) + timedelta(hours=1)
    [due] = world.run_instances(tags={MARK: mark(past)})
    [later] = world.run_instances(tags={MARK: mark(future)})
    [fixed] = world.run_instances(tags={MARK: mark(past), "Environment": "prod"})
    [gone] = world.run_instances(tags={MARK: mark(past)})
    world.client("ec2").terminate_instances(InstanceIds=[gone])
    world.run_instances(tags={"Environment": "dev"})  # not marked: never listed
    return {"due": due, "later": later, "fixed": fixed, "gone": gone}


def test_an_instance_arn_is_addressed_as_the_cloudtrail_parser_names_it():
    ref = ref_of_arn("arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc")
    assert (ref.resource_type, ref.resource_id, ref.region, ref.account) == (
        "aws.ec2.instance",
        "i-0abc",
        "eu-west-1",
        "123456789012",
    )


def test_other_services_are_addressed_by_arn_with_their_type():
    arn = "arn:aws:rds:us-east-1:123456789012:db:orders"
    assert (ref_of_arn(arn).resource_type, ref_of_arn(arn).resource_id) == ("aws.rds.db", arn)
    assert ref_of_arn("arn:aws:s3:::logs").resource_id == "logs"


def test_the_finder_lists_only_resources_carrying_the_mark_tag(aws_env, marked):
    page = AwsMarkedResources(MARK, ["us-east-1"]).page("us-east-1", None)
    listed = {r.ref.resource_id for r in page.resources}
    assert {marked["due"], marked["later"], marked["fixed"]} <= listed
    assert all(MARK in r.tags for r in page.resources)


def test_the_finder_pages_through_every_marked_resource(world):
    ids = world.run_instances(count=150, tags={MARK: mark(datetime.now(UTC))})
    finder = AwsMarkedResources(MARK, ["us-east-1"])
    pages = [finder.page("us-east-1", None)]
    while pages[-1].next_token is not None:
        pages.append(finder.page("us-east-1", pages[-1].next_token))
    assert len(pages) >= 2
    assert all(len(page.resources) <= 100 for page in pages)
    assert {r.ref.resource_id for page in pages for r in page.resources} == set(ids)


def test_the_sweep_stops_the_due_instance_leaves_the_rest_and_clears_the_compliant(
    world, marked, sweep
):
    report = sweep.sweep()
    assert world.instance_state(marked["due"]) == "stopped"
    assert MARK not in world.ec2_tags(marked["due"])
    assert world.instance_state(marked["later"]) == "running"
    assert MARK in world.ec2_tags(marked["later"])
    assert world.instance_state(marked["fixed"]) == "running"
    assert MARK not in world.ec2_tags(marked["fixed"])
    by_id = {d.resource_id: sweep._outcome(d) for d in report.decisions}
    assert by_id[marked["due"]] == "act"
    assert by_id[marked["later"]] == "left"
    assert by_id[marked["fixed"]] == "clear"
    assert by_id[marked["gone"]] == "gone"
    assert report.complete


def test_a_second_sweep_does_not_act_again(world, marked, sweep):
    sweep.sweep()
    again = sweep.sweep()
    assert "act" not in again.outcomes
    assert world.instance_state(marked["due"]) == "stopped"


def test_every_call_the_sweep_makes_is_granted_to_its_function(world, marked, sweep):
    import boto3

    called: set[str] = set()
    clients.reset()
    session = clients._session = boto3.session.Session()
    session.events.register("before-call.*.*", lambda model, **_: called.add(_iam(model)))
    try:
        sweep.sweep()
    finally:
        clients.reset()
    granted = {
        action
        for statement in resource("MarkSweepFunction")["Properties"]["Policies"][0]["Statement"]
        for action in _listed(statement["Action"])
    }
    assert "tag:GetResources" in called
    assert "ec2:StopInstances" in called
    assert called <= granted


_IAM_PREFIX = {"tagging": "tag"}
_IAM_ACTION = {"s3:DeleteBucketTagging": "s3:PutBucketTagging"}


def _iam(model) -> str:
    prefix = model.service_model.signing_name
    action = f"{_IAM_PREFIX.get(prefix, prefix)}:{model.name}"
    return _IAM_ACTION.get(action, action)


def _listed(actions: str | list[str]) -> list[str]:
    return [actions] if isinstance(actions, str) else actions
