"""Approvals settings from the environment (prefix COSTPLANE_). Read only by the wiring.

A channel is configured when its secrets are set: Slack needs the signing secret to accept
callbacks and a bot token and channel to post; Teams needs the bot's app id to accept
callbacks and its password and a conversation to post.
"""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from costplane.approvals.teams_callback import BOT_FRAMEWORK_JWKS_URL


class ApprovalSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COSTPLANE_", extra="ignore")

    slack_signing_secret: SecretStr | None = Field(None, description="Slack app signing secret.")
    slack_bot_token: SecretStr | None = Field(None, description="Bot token (xoxb-…) to post.")
    slack_channel: str | None = Field(None, description="Channel id approval requests go to.")
    teams_app_id: str | None = Field(None, description="The bot's Entra app id (token `aud`).")
    teams_app_password: SecretStr | None = Field(None, description="The bot's client secret.")
    teams_tenant: str = Field("botframework.com", description="Tenant of the bot's app (token).")
    teams_jwks_url: str = Field(
        BOT_FRAMEWORK_JWKS_URL, description="Bot Framework signing keys (JWKS)."
    )
    teams_service_url: str | None = Field(None, description="Bot Connector URL to post to.")
    teams_conversation: str | None = Field(None, description="Conversation id requests go to.")
    approvals_table: str | None = Field(None, description="DynamoDB table (the AWS plane).")
