"""IAM enforced on the moto server while code runs as a role, and every AWS call it makes.

moto checks credentials, signatures and identity policies once auth is on
(`POST /moto-api/reset-auth` with the number of requests to let through unchecked; "inf"
turns it off again), but it names an action by the request's signing name (`tagging:` for
the tagging API) and, except for IAM, S3, SQS and STS, authorizes every call against the
resource "*", so any statement scoped to an ARN would deny; and its signature check fails
on encoded paths. The clients therefore send the
IAM action and resource ARNs of each call (tests.support.iam_requests) in two headers, and
moto's authorizer, patched in this process (the server runs in the test worker), checks the
role's policies for that action against each of those ARNs. Conditions stay moto's: it
evaluates StringEquals and ignores the others. Every denial is kept, so that a test fails on
one even when the code under test catches it and carries on.
"""

from __future__ import annotations

import os
import re
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.session
import orjson
import pytest
from moto.iam.access_control import IAMPolicyStatement, IAMRequestBase

from costplane.adapters.aws import clients
from tests.support.iam_requests import FREE, iam_action, resources

ACTION_HEADER = "x-costplane-iam-action"
RESOURCES_HEADER = "x-costplane-iam-resources"
ACCOUNT = "123456789012"
LAMBDA_TRUST = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Principal": {"Service": ["lambda.amazonaws.com"]},
            "Action": ["sts:AssumeRole"],
        }
    ],
}


@dataclass(frozen=True, slots=True)
class Call:
    """One AWS API call: botocore's service and operation, and the IAM action it needs."""

    service: str
    operation: str
    action: str


@dataclass
class Session:
    """What happened while running as the role: the calls made, and the denials moto gave."""

    calls: list[Call] = field(default_factory=list)
    denials: list[tuple[str, str]] = field(default_factory=list)
    active: bool = False

    def actions(self) -> set[str]:
        return {c.action for c in self.calls} - FREE


def watch(monkeypatch: pytest.MonkeyPatch) -> Session:
    """Clients created from now on send each call's IAM context and record it while active;
    moto's authorizer uses that context and records its denials."""
    session = Session()
    _patch_authorizer(monkeypatch, session)
    create_client = botocore.session.Session.create_client

    def hooked(self: botocore.session.Session, *args: Any, **kwargs: Any) -> Any:
        created = create_client(self, *args, **kwargs)
        _hook(created, session)
        return created

    monkeypatch.setattr(botocore.session.Session, "create_client", hooked)
    return session


def _patch_authorizer(monkeypatch: pytest.MonkeyPatch, session: Session) -> None:
    check = IAMRequestBase.check_action_permitted

    def check_each(self: IAMRequestBase, resource: str) -> None:
        headers = self._headers
        if action := headers.get(ACTION_HEADER):
            self._action = action
        given = headers.get(RESOURCES_HEADER)
        for arn in given.split() if given else [resource]:
            try:
                check(self, arn)
            except Exception:
                session.denials.append((self._action, arn))
                raise

    monkeypatch.setattr(IAMRequestBase, "check_action_permitted", check_each)
    monkeypatch.setattr(IAMPolicyStatement, "_match", staticmethod(_iam_match))
    # moto recomputes signatures over the decoded path, so a path holding an encoded ARN
    # (Lambda's tags API) never matches; the access key still names the role, which is
    # what is checked here. Signing is botocore's work, not costplane's.
    monkeypatch.setattr(IAMRequestBase, "check_signature", lambda self: None)


def _iam_match(pattern: str, string: str) -> re.Match[str] | None:
    """IAM's wildcards as IAM reads them: `*` any run of characters, `?` exactly one, the rest
    literal (moto turns only `*` into a regex, so a `-??????` secret suffix breaks it)."""
    literal = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(literal, string)


def _hook(created: Any, session: Session) -> None:
    service = created.meta.service_model.service_name
    region = created.meta.region_name or "us-east-1"

    def describe(params: dict[str, Any], model: Any, context: dict[str, Any], **_: Any) -> None:
        action = iam_action(service, model.name)
        if session.active:
            session.calls.append(Call(service, model.name, action))
        if service != "s3":  # moto derives S3's resources itself
            context["costplane_iam"] = (
                action,
                resources(service, model.name, params, region, ACCOUNT),
            )

    def send(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
        if found := context.get("costplane_iam"):
            params["headers"][ACTION_HEADER] = found[0]
            params["headers"][RESOURCES_HEADER] = " ".join(found[1])

    created.meta.events.register(f"before-parameter-build.{service}", describe)
    created.meta.events.register(f"before-call.{service}", send)


def create_role(endpoint: str, name: str, policies: dict[str, dict[str, Any]]) -> dict[str, str]:
    """A role carrying exactly `policies` (inline, by name); credentials of a session in it."""
    admin = {"endpoint_url": endpoint, "region_name": "us-east-1"}
    iam = boto3.client("iam", **admin)
    arn = iam.create_role(
        RoleName=name, AssumeRolePolicyDocument=orjson.dumps(LAMBDA_TRUST).decode()
    )
    for policy, document in policies.items():
        iam.put_role_policy(
            RoleName=name, PolicyName=policy, PolicyDocument=orjson.dumps(document).decode()
        )
    found = boto3.client("sts", **admin).assume_role(
        RoleArn=arn["Role"]["Arn"], RoleSessionName=name
    )["Credentials"]
    return {
        "AWS_ACCESS_KEY_ID": found["AccessKeyId"],
        "AWS_SECRET_ACCESS_KEY": found["SecretAccessKey"],
        "AWS_SESSION_TOKEN": found["SessionToken"],
    }


def _set_auth(endpoint: str, unchecked: str) -> None:
    request = urllib.request.Request(
        f"{endpoint}/moto-api/reset-auth",
        data=unchecked.encode(),
        headers={"Content-Type": "text/plain"},  # a form body would hide it from moto
        method="POST",
    )
    urllib.request.urlopen(request).close()


@contextmanager
def recording(session: Session) -> Iterator[Session]:
    """Record the calls of clients made inside the block, with IAM left unenforced."""
    clients.reset()
    session.active = True
    try:
        yield session
    finally:
        session.active = False
        clients.reset()


@contextmanager
def acting_as(endpoint: str, credentials: dict[str, str], session: Session) -> Iterator[Session]:
    """Run the block with `credentials` and IAM enforced; clients made inside use them."""
    saved = {name: os.environ.get(name) for name in credentials}
    os.environ.update(credentials)
    clients.reset()
    _set_auth(endpoint, "0")
    session.active = True
    try:
        yield session
    finally:
        session.active = False
        _set_auth(endpoint, "inf")
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        clients.reset()
