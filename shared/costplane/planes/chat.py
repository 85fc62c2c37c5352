"""Approvals over Slack and Teams for any plane: the posters and callback endpoints of every
configured channel, and the resume service behind the cards' resume button and the resume
route, over the plane's approvals store, audit log and enforcers."""

from __future__ import annotations

from costplane.adapters.local.chat import LogPoster
from costplane.adapters.rest import RestClient
from costplane.adapters.slack import SlackPoster, SlackResponder
from costplane.adapters.teams import BotConnector, JwksKeys, TeamsPoster, bot_token
from costplane.approvals.callbacks import (
    ApprovalCallbacks,
    ResumeEndpoint,
    SlackEndpoint,
    TeamsEndpoint,
)
from costplane.approvals.model import Channel
from costplane.approvals.ports import ApprovalPoster
from costplane.approvals.service import ApprovalService
from costplane.approvals.teams_callback import TokenVerifier
from costplane.domain.taxonomy import Mode
from costplane.engine.executor import ExecuteApproved
from costplane.engine.resuming import ResumeService
from costplane.planes.base import Plane


def approval_service_on(plane: Plane, connector: BotConnector | None = None) -> ApprovalService:
    chat = plane.chat
    connector = connector or _connector(plane)
    posters: dict[Channel, ApprovalPoster] = {}
    if plane.name == "local":
        posters = dict.fromkeys(("slack", "teams"), LogPoster())
    if chat.slack_bot_token is not None and chat.slack_channel is not None:
        token = chat.slack_bot_token.get_secret_value()
        posters["slack"] = SlackPoster(plane.http, token, chat.slack_channel)
    if connector is not None and chat.teams_service_url and chat.teams_conversation:
        posters["teams"] = TeamsPoster(connector, chat.teams_service_url, chat.teams_conversation)
    runtime = plane.runtime
    dry_run = Mode(plane.settings.mode) is Mode.DRY_RUN
    resume = ExecuteApproved(runtime.ports, runtime.notifier, runtime.state, dry_run)
    return ApprovalService(plane.approval_store(), runtime.state, runtime.clock, posters, resume)


def approval_callbacks_on(plane: Plane) -> ApprovalCallbacks:
    chat = plane.chat
    connector = _connector(plane)
    service = approval_service_on(plane, connector)
    slack = teams = resume = None
    if chat.slack_signing_secret is not None:
        secret = chat.slack_signing_secret.get_secret_value().encode()
        slack = SlackEndpoint(secret, SlackResponder(plane.http))
    if chat.teams_app_id is not None:
        verifier = TokenVerifier(chat.teams_app_id, JwksKeys(plane.http, chat.teams_jwks_url))
        teams = TeamsEndpoint(verifier, connector)
    if chat.resume_signing_secret is not None:
        resume = ResumeEndpoint(chat.resume_signing_secret.get_secret_value().encode())
    return ApprovalCallbacks(service, slack, teams, resume_service_on(plane), resume)


def resume_service_on(plane: Plane) -> ResumeService:
    """Undo on request over the plane's audit log and enforcers."""
    runtime = plane.runtime
    return ResumeService(runtime.ports, runtime.state, runtime.clock)


def _connector(plane: Plane) -> BotConnector | None:
    """The bot's Connector client, when its credentials are set (to post and to reply)."""
    chat = plane.chat
    if chat.teams_app_id is None or chat.teams_app_password is None:
        return None
    password = chat.teams_app_password.get_secret_value()
    token = bot_token(plane.http, chat.teams_app_id, password, chat.teams_tenant)
    return BotConnector(RestClient(plane.http, token))
