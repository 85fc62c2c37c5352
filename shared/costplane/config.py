"""Every setting costplane reads, from the environment (prefix COSTPLANE_): the only module that
reads it. The planes and the CLI build these and hand plain values to everything else.

Lake catalogs (COSTPLANE_CATALOG_*):

    Local (the default): set nothing. The catalog is SQLite (`<lake>/catalog.db`) and the data
    lives in `<lake>/warehouse/`; the lake directory is `.costplane/`, `--lake` or COSTPLANE_LAKE.

    AWS Glue + S3 (Athena reads the same tables):
        COSTPLANE_CATALOG_TYPE=glue
        COSTPLANE_CATALOG_WAREHOUSE=s3://my-bucket/costplane
    Credentials and region come from the usual AWS chain; an S3-compatible endpoint goes in
    the properties: COSTPLANE_CATALOG_PROPERTIES='{"s3.endpoint": "http://localhost:9000"}'.

    Any REST catalog (Polaris, Nessie, Unity Catalog, S3 Tables, Lakekeeper, ...):
        COSTPLANE_CATALOG_TYPE=rest
        COSTPLANE_CATALOG_URI=https://catalog.example.com/api/catalog
        COSTPLANE_CATALOG_WAREHOUSE=analytics
        COSTPLANE_CATALOG_PROPERTIES='{"credential": "client-id:client-secret"}'

    Azure and GCP (the Bicep's lakeCatalog* parameters, Terraform's lake_catalog_* variables):
    a REST or SQL catalog, the warehouse abfss://<container>@<account>.dfs.core.windows.net/…
    or gs://<bucket>/…, read by pyarrow with the function's identity
    (COSTPLANE_CATALOG_PROPERTIES='{"py-io-impl": "pyiceberg.io.pyarrow.PyArrowFileIO"}', and
    on Azure "adls.account-name").

    COSTPLANE_CATALOG_PROPERTIES (a JSON object) is handed to pyiceberg's `load_catalog` as is,
    so every catalog and FileIO property pyiceberg documents works; pyiceberg also merges in
    its own configuration (~/.pyiceberg.yaml, PYICEBERG_CATALOG__COSTPLANE__* variables).
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, TypeAdapter
from pydantic_settings import BaseSettings, SettingsConfigDict

PlaneName = Literal["local", "aws", "azure", "gcp"]
CatalogType = Literal["sql", "glue", "rest"]
DeploymentMode = Literal["dry-run", "enforce"]
BOT_FRAMEWORK_JWKS_URL = "https://login.botframework.com/v1/.well-known/keys"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COSTPLANE_", extra="ignore")

    plane: PlaneName | None = Field(
        None, description="The plane a function runs on; its cloud when unset."
    )
    lake: Path = Field(Path(".costplane"), description="Local state and warehouse directory.")
    taxonomy: Path | None = Field(None, description="Taxonomy file; the bundled example if unset.")
    policies: Path | None = Field(None, description="Policy file; the bundled example if unset.")
    budgets: Path | None = Field(None, description="Budgets file; the bundled example if unset.")
    inventory: Path | None = Field(None, description="Local inventory seed (JSON).")
    mode: DeploymentMode = Field(
        "dry-run",
        description="The deployment's mode, a ceiling: dry-run makes every policy and action dry "
        "whatever the files say; enforce lets each file's own mode stand.",
    )
    clock: datetime | None = Field(
        None, description="Pin the local plane's clock (UTC), to replay events as of their time."
    )
    state: str | None = Field(
        None, description="SQLite state file, or ':memory:'; default <lake>/state.db."
    )

    @property
    def state_path(self) -> str:
        return self.state or str(self.lake / "state.db")


class CatalogSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COSTPLANE_CATALOG_", extra="ignore")

    type: CatalogType = Field("sql", description="pyiceberg catalog implementation.")
    name: str = Field("costplane", description="Catalog name given to pyiceberg.")
    namespace: str = Field("costplane", description="Namespace (Glue database) of the tables.")
    uri: str | None = Field(None, description="Catalog URI; default: SQLite under the lake.")
    warehouse: str | None = Field(None, description="Warehouse root; default: under the lake.")
    properties: dict[str, str] = Field(
        default_factory=dict, description="Extra pyiceberg catalog/FileIO properties."
    )

    @property
    def embedded(self) -> bool:
        """The local SQLite catalog under the lake directory (nothing configured)."""
        return self.type == "sql" and not self.uri


def embedded_catalog() -> CatalogSettings:
    """The local SQLite catalog's settings, whatever the environment says (tests, tools)."""
    return CatalogSettings.model_construct()


class TerminalSettings(BaseSettings):
    """The terminal the command line prints to, as the shell describes it."""

    model_config = SettingsConfigDict(extra="ignore")

    columns: str | None = Field(
        None, validation_alias="COLUMNS", description="Width in characters (when piped too)."
    )

    @property
    def width(self) -> int | None:
        return int(self.columns) if self.columns and self.columns.isdigit() else None


class IngestSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="COSTPLANE_", extra="ignore")

    exports: str = Field(description="The exports: JSON, or the path of a YAML or JSON file.")
    ingest_dir: Path = Field(
        default_factory=lambda: Path(tempfile.gettempdir()) / "costplane-ingest",
        description="Where objects are downloaded to while they are ingested.",
    )


class AwsSettings(BaseSettings):
    """The AWS plane's tables and topic; required only there."""

    model_config = SettingsConfigDict(env_prefix="COSTPLANE_", extra="ignore")

    claims_table: str | None = Field(None, description="DynamoDB table of idempotency claims.")
    decisions_table: str | None = Field(
        None, description="DynamoDB table of the decisions audit log."
    )
    budgets_table: str | None = Field(
        None, description="DynamoDB table of budget run-rates, signals and reservations."
    )
    idempotency_table: str | None = Field(
        None, description="DynamoDB table of Powertools idempotency records (per delivery)."
    )
    admission_table: str | None = Field(
        None, description="DynamoDB table of AI admission reservations; SQLite if unset."
    )
    topic_arn: str | None = Field(None, description="SNS topic for notifications; logs if unset.")
    metrics_namespace: str = Field("costplane", description="CloudWatch metrics namespace.")
    emf_metrics: bool = Field(
        default_factory=lambda: "AWS_LAMBDA_FUNCTION_NAME" in os.environ,
        description="Count into Powertools EMF metrics (default: inside Lambda); else in memory.",
    )


class AdmissionSettings(BaseSettings):
    """How long an AI admission reservation holds its amount if never settled."""

    model_config = SettingsConfigDict(env_prefix="COSTPLANE_ADMISSION_", extra="ignore")

    ttl_seconds: int = Field(900, gt=0, description="A reservation expires this long after.")


class SweepSettings(BaseSettings):
    """`COSTPLANE_SWEEP_*`: where the mark sweep looks, and how long one invocation may run."""

    model_config = SettingsConfigDict(env_prefix="COSTPLANE_SWEEP_", extra="ignore")

    regions: list[str] = Field(
        default_factory=lambda: [
            r for r in (os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"),) if r
        ],
        description='AWS regions to sweep, JSON (\'["eu-west-1","us-east-1"]\'); default the '
        "function's own.",
    )
    subscriptions: list[str] = Field(
        default_factory=list, description="Azure subscriptions to sweep, JSON; Resource Graph."
    )
    scope: str | None = Field(
        None,
        description="GCP scope to sweep (projects/ID, folders/ID or organizations/ID); Cloud "
        "Asset Inventory.",
    )
    budget_seconds: float = Field(
        240.0,
        description="Time one invocation may sweep before it saves its place for the next; "
        "keep it under the function's timeout and the schedule's interval.",
    )


class AzureSettings(BaseSettings):
    """`COSTPLANE_AZURE_*`, plus the managed-identity endpoint that Functions injects."""

    model_config = SettingsConfigDict(env_prefix="COSTPLANE_AZURE_", extra="ignore")

    token: SecretStr | None = Field(
        None, description="A static bearer token (tests, local runs); wins over managed identity."
    )
    client_id: str | None = Field(None, description="Client id of a user-assigned identity.")
    identity_endpoint: str | None = Field(None, validation_alias="IDENTITY_ENDPOINT")
    identity_header: SecretStr | None = Field(None, validation_alias="IDENTITY_HEADER")
    state_account: str | None = Field(
        None, description="Storage account whose Table holds claims and decisions; SQLite if unset."
    )
    state_table: str = "costplane"
    state_endpoint: str | None = Field(
        None, description="Table endpoint override (Azurite, sovereign clouds)."
    )

    audit_account: str | None = Field(
        None,
        description="Storage account whose Table holds the decisions audit log, apart from the "
        "state (its own locked resource group); the state table's account if unset.",
    )
    audit_table: str = "decisions"
    audit_endpoint: str | None = Field(
        None, description="The audit account's Table endpoint override (Azurite, sovereign clouds)."
    )

    @property
    def table_url(self) -> str | None:
        return _table_url(self.state_account, self.state_endpoint, self.state_table)

    @property
    def audit_url(self) -> str | None:
        """Where decisions go: the audit account's table, else the state table."""
        if self.audit_account is None:
            return self.table_url
        return _table_url(self.audit_account, self.audit_endpoint, self.audit_table)


def _table_url(account: str | None, endpoint: str | None, table: str) -> str | None:
    if account is None:
        return None
    root = endpoint or f"https://{account}.table.core.windows.net"
    return f"{root.rstrip('/')}/{table}"


class GcpSettings(BaseSettings):
    """`COSTPLANE_GCP_*`."""

    model_config = SettingsConfigDict(env_prefix="COSTPLANE_GCP_", extra="ignore")

    token: SecretStr | None = Field(
        None,
        description="A static bearer token (tests, local runs); wins over the metadata server.",
    )
    state_project: str | None = Field(
        None, description="Project whose Firestore holds claims and decisions; SQLite if unset."
    )
    state_database: str = "(default)"
    state_collection: str = Field(
        "costplane",
        description="Prefix of the `<prefix>_claims` and `<prefix>_decisions` collections.",
    )


class AiVendorSettings(BaseSettings):
    """The admin keys of the AI vendors whose levers costplane pulls (throttle, suspend,
    decommission), each set only where that vendor is governed. In a cloud they come from its
    secret store as the chat secrets do: a Secrets Manager reference in the SAM template, a Key
    Vault reference in the function app's settings, a Secret Manager secret in Terraform."""

    model_config = SettingsConfigDict(env_prefix="COSTPLANE_", extra="ignore")

    openai_admin_key: SecretStr | None = Field(
        None, description="OpenAI admin key (sk-admin-…): project rate and spend limits, keys."
    )
    anthropic_admin_key: SecretStr | None = Field(
        None, description="Anthropic admin key (sk-ant-admin…): workspaces and API keys."
    )
    ai_throttle_percent: int = Field(
        10, ge=1, le=99, description="What a throttle leaves of each vendor rate limit, in %."
    )


class ApprovalSettings(BaseSettings):
    """A channel is configured when its secrets are set: Slack needs the signing secret to accept
    callbacks and a bot token and channel to post; Teams needs the bot's app id to accept
    callbacks and its password and a conversation to post."""

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
    resume_signing_secret: SecretStr | None = Field(
        None, description="Signs requests to the resume route (HMAC-SHA256, as Slack signs)."
    )
    approvals_table: str | None = Field(None, description="DynamoDB table (the AWS plane).")


AdminKeys = dict[Literal["openai", "anthropic"], dict[str, SecretStr]]
"""Admin keys by vendor, then by organisation id (OpenAI org-…, Anthropic organisation uuid)."""


class AiPullSettings(BaseSettings):
    """`COSTPLANE_AI_*`: where the hourly pull lands the OpenAI and Anthropic usage and cost
    reports, and the admin keys it reads them with (one per organisation)."""

    model_config = SettingsConfigDict(env_prefix="COSTPLANE_AI_", extra="ignore")

    pull_location: str | None = Field(
        None,
        description="URI prefix the reports land under (s3://bucket/ai/, gs://…, https://<acct>"
        ".blob.core.windows.net/<container>/ai/); cost ingest routes it to the AI sources.",
    )
    admin_keys: SecretStr | None = Field(
        None,
        description='JSON {"openai": {"<org id>": "<admin key>"}, "anthropic": {...}}: set by '
        "the platform from Key Vault or Secret Manager, never in a file.",
    )
    admin_keys_secret: str | None = Field(
        None, description="AWS: the Secrets Manager secret (name or ARN) holding that JSON."
    )
    grace_days: int = Field(
        3,
        ge=0,
        le=27,
        description="For the first days of a month the previous month is pulled again, as its "
        "late buckets can still change.",
    )
    retry_budget_seconds: float = Field(
        300.0, gt=0, description="Time one report may spend waiting out 429s and 5xx answers."
    )


def admin_keys_from(text: str) -> AdminKeys:
    """The admin keys JSON (COSTPLANE_AI_ADMIN_KEYS, or the secret it names on AWS)."""
    return TypeAdapter(AdminKeys).validate_json(text)
