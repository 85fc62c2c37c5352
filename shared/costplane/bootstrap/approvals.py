"""Wire the approvals service and its callback endpoints for a plane.

The approvals store is DynamoDB on the AWS plane, the plane's state table (Azure Table
storage, Firestore) when one is configured, so that any instance can decide a request another
opened, and SQLite (the plane's state file) otherwise. The audit log, clock and enforcers are
the plane's Runtime; chat clients share the process-wide httpx client.
"""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from costplane.actions.executor import execute
from costplane.adapters import rest
from costplane.adapters.local.chat import LogPoster
from costplane.adapters.local.plane import SystemClock
from costplane.adapters.slack import SlackPoster, SlackResponder
from costplane.adapters.teams import BotConnector, JwksKeys, TeamsPoster, bot_token
from costplane.approvals.callbacks import ApprovalCallbacks, SlackEndpoint, TeamsEndpoint
from costplane.approvals.model import ApprovalRequest, Channel
from costplane.approvals.ports import ApprovalPoster, ApprovalStore
from costplane.approvals.service import ApprovalService
from costplane.approvals.settings import ApprovalSettings
from costplane.approvals.sqlite_store import SqliteApprovalStore
from costplane.approvals.teams_callback import TokenVerifier
from costplane.bootstrap import Runtime, cloud_runtime, local_runtime
from costplane.config import Settings
from costplane.domain.decisions import ActionStatus, Decision


@dataclass(frozen=True, slots=True)
class ExecuteThen:
    """Resume: run an approved request's action through the plane's enforcer, then record it."""

    runtime: Runtime

    def __call__(self, request: ApprovalRequest, then: Decision) -> None:
        ports = self.runtime.ports.get(request.resource.provider)
        if ports is None:
            for action in then.actions:
                action.status = ActionStatus.FAILED
                action.error = f"this plane has no {request.resource.provider} adapters"
        else:
            execute(then, request.resource, ports.enforcer, self.runtime.notifier)
        self.runtime.state.append_decision(then)


def approval_store(settings: Settings, plane: str) -> ApprovalStore:
    if plane == "aws":
        from costplane.adapters.aws.approvals_store import DynamoDbApprovalStore

        table = ApprovalSettings().approvals_table
        if table is None:
            raise ValueError("COSTPLANE_APPROVALS_TABLE is required on the AWS plane")
        return DynamoDbApprovalStore(table)
    if plane == "azure":
        return _azure_store(settings)
    if plane == "gcp":
        return _gcp_store(settings)
    return SqliteApprovalStore(settings.state_path)


def _azure_store(settings: Settings) -> ApprovalStore:
    """The state table of the Azure plane (COSTPLANE_AZURE_STATE_ACCOUNT), else SQLite."""
    from costplane.adapters.azure.approvals_store import AzureTableApprovalStore
    from costplane.adapters.azure.http import STORAGE_AUDIENCE, token_provider
    from costplane.adapters.azure.settings import AzureSettings

    azure = AzureSettings()
    if azure.table_url is None:
        return SqliteApprovalStore(settings.state_path)
    http = rest.shared_client()
    storage = rest.RestClient(http, token_provider(azure, http, STORAGE_AUDIENCE))
    return AzureTableApprovalStore(storage, azure.table_url, SystemClock())


def _gcp_store(settings: Settings) -> ApprovalStore:
    """The Firestore of the GCP plane (COSTPLANE_GCP_STATE_PROJECT), else SQLite."""
    from costplane.adapters.gcp.approvals_store import FirestoreApprovalStore
    from costplane.adapters.gcp.http import token_provider
    from costplane.adapters.gcp.settings import GcpSettings

    gcp = GcpSettings()
    if gcp.state_project is None:
        return SqliteApprovalStore(settings.state_path)
    http = rest.shared_client()
    return FirestoreApprovalStore(
        rest.RestClient(http, token_provider(gcp, http)),
        project=gcp.state_project,
        database=gcp.state_database,
        prefix=gcp.state_collection,
    )


def approval_service(
    settings: Settings | None = None, plane: str = "local", runtime: Runtime | None = None
) -> ApprovalService:
    """The service the policy runner opens requests with and the expiry sweep calls."""
    chat = ApprovalSettings()
    http = rest.shared_client()
    return _service(settings or Settings(), plane, chat, _connector(chat, http), http, runtime)


def approval_callbacks(settings: Settings | None = None, plane: str = "local") -> ApprovalCallbacks:
    """The callback endpoints of every configured channel, over one service."""
    chat = ApprovalSettings()
    http = rest.shared_client()
    connector = _connector(chat, http)
    service = _service(settings or Settings(), plane, chat, connector, http)
    slack = teams = None
    if chat.slack_signing_secret is not None:
        secret = chat.slack_signing_secret.get_secret_value().encode()
        slack = SlackEndpoint(secret, SlackResponder(http))
    if chat.teams_app_id is not None:
        verifier = TokenVerifier(chat.teams_app_id, JwksKeys(http, chat.teams_jwks_url))
        teams = TeamsEndpoint(verifier, connector)
    return ApprovalCallbacks(service, slack, teams)


def _service(
    settings: Settings,
    plane: str,
    chat: ApprovalSettings,
    connector: BotConnector | None,
    http: httpx.Client,
    runtime: Runtime | None = None,
) -> ApprovalService:
    if runtime is None:
        runtime = local_runtime(settings) if plane == "local" else cloud_runtime(plane, settings)
    posters: dict[Channel, ApprovalPoster] = {}
    if plane == "local":
        posters = dict.fromkeys(("slack", "teams"), LogPoster())
    if chat.slack_bot_token is not None and chat.slack_channel is not None:
        token = chat.slack_bot_token.get_secret_value()
        posters["slack"] = SlackPoster(http, token, chat.slack_channel)
    if connector is not None and chat.teams_service_url and chat.teams_conversation:
        posters["teams"] = TeamsPoster(connector, chat.teams_service_url, chat.teams_conversation)
    store = approval_store(settings, plane)
    return ApprovalService(store, runtime.state, runtime.clock, posters, ExecuteThen(runtime))


def _connector(chat: ApprovalSettings, http: httpx.Client) -> BotConnector | None:
    """The bot's Connector client, when its credentials are set (to post and to reply)."""
    if chat.teams_app_id is None or chat.teams_app_password is None:
        return None
    password = chat.teams_app_password.get_secret_value()
    token = bot_token(http, chat.teams_app_id, password, chat.teams_tenant)
    return BotConnector(rest.RestClient(http, token))
