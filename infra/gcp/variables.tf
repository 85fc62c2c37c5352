variable "project" {
  description = "Project that hosts costplane: the function, its topic, its Firestore database."
  type        = string
}

variable "region" {
  description = "Region of the function, its source bucket and its image repository."
  type        = string
  default     = "us-central1"
}

variable "mode" {
  description = "A ceiling: dry-run decides and records whatever the files say; enforce lets the taxonomy's and each policy's own mode stand."
  type        = string
  default     = "dry-run"

  validation {
    condition     = contains(["dry-run", "enforce"], var.mode)
    error_message = "mode is dry-run or enforce."
  }
}

variable "scope" {
  description = <<-EOT
    What costplane governs: "project" (this project's audit logs, a project-level role) or
    "organization" (every project under organization_id: an organization sink with children,
    and the role granted on the organization).
  EOT
  type        = string
  default     = "project"

  validation {
    condition     = contains(["project", "organization"], var.scope)
    error_message = "scope is project or organization."
  }
}

variable "organization_id" {
  description = "Numeric organization id; required when scope is organization."
  type        = string
  default     = ""
}

variable "firestore_location" {
  description = "Location of the Firestore database (a region or a multi-region); the region if null."
  type        = string
  default     = null
}

variable "firestore_database" {
  description = <<-EOT
    Name of the Firestore database created for costplane's state. A named database, not
    "(default)", so that a project whose default database exists already can host it.
  EOT
  type        = string
  default     = "costplane"
}

variable "state_collection" {
  description = "Prefix of the <prefix>_claims and <prefix>_decisions collections."
  type        = string
  default     = "costplane"
}

variable "taxonomy_path" {
  description = <<-EOT
    Path of the taxonomy file inside the deployed source (the function runs in /workspace, e.g.
    /workspace/costplane/data/taxonomy.example.yaml); empty uses the example bundled with costplane.
  EOT
  type        = string
  default     = ""
}

variable "max_instances" {
  description = "Upper bound on concurrent function instances (one request each)."
  type        = number
  default     = 10
}

variable "max_delivery_attempts" {
  description = "Deliveries of one audit-log entry before it moves to the dead-letter topic (5-100)."
  type        = number
  default     = 5

  validation {
    condition     = var.max_delivery_attempts >= 5 && var.max_delivery_attempts <= 100
    error_message = "Pub/Sub accepts 5 to 100 delivery attempts."
  }
}

variable "labels" {
  description = "Labels on every resource that takes them."
  type        = map(string)
  default     = {}
}

variable "alert_email" {
  description = "Optional address told when audit-log entries reach the dead-letter subscription."
  type        = string
  default     = ""
}

variable "policies_path" {
  description = "Path of the policy file in the deployed policy_runner source (e.g. policies.yaml beside main.py); empty uses the bundled example."
  type        = string
  default     = ""
}

variable "budgets_path" {
  description = "Path of the budgets file in the deployed policy_runner source; empty uses the bundled example."
  type        = string
  default     = ""
}

variable "slack_signing_secret_id" {
  description = "Secret Manager secret (id in project) holding the Slack app's signing secret; empty disables Slack callbacks."
  type        = string
  default     = ""
}

variable "slack_bot_token_secret_id" {
  description = "Secret Manager secret (id in project) holding the Slack bot token (xoxb-…); empty disables posting to Slack."
  type        = string
  default     = ""
}

variable "slack_channel" {
  description = "Slack channel id approval requests go to; empty disables posting to Slack."
  type        = string
  default     = ""
}

variable "teams_app_id" {
  description = "The Teams bot's Entra app id; empty disables Teams callbacks."
  type        = string
  default     = ""
}

variable "teams_tenant" {
  description = "Tenant of a single-tenant Teams bot's app; empty uses the Bot Framework's (multi-tenant bots)."
  type        = string
  default     = ""
}

variable "teams_app_password_secret_id" {
  description = "Secret Manager secret (id in project) holding the Teams bot's client secret; empty disables replying and posting to Teams."
  type        = string
  default     = ""
}

variable "teams_service_url" {
  description = "Bot Connector URL approval requests are posted to; empty disables posting to Teams."
  type        = string
  default     = ""
}

variable "teams_conversation" {
  description = "Teams conversation id approval requests go to; empty disables posting to Teams."
  type        = string
  default     = ""
}

variable "ai_admin_keys_secret_id" {
  description = "Secret Manager secret (id in project) holding the AI vendors' admin keys as JSON {\"openai\": {\"<org id>\": \"<admin key>\"}, \"anthropic\": {...}}; with ai_pull_bucket, the hourly AI usage pull lands their usage and cost reports. Empty deploys no pull."
  type        = string
  default     = ""
}

variable "ai_pull_bucket" {
  description = "Bucket the AI usage pull lands its reports in (the bill bucket cost ingest reads); needs uniform bucket-level access. Empty deploys no pull."
  type        = string
  default     = ""
}

variable "ai_pull_prefix" {
  description = "Prefix in ai_pull_bucket the AI usage pull lands its reports under."
  type        = string
  default     = "ai-usage/"

  validation {
    condition     = endswith(var.ai_pull_prefix, "/")
    error_message = "ai_pull_prefix must end with a slash."
  }
}

variable "ai_pull_schedule" {
  description = "Cron schedule (UTC) of the AI usage pull."
  type        = string
  default     = "5 * * * *"
}

variable "sweep_schedule" {
  description = "Cron schedule (UTC) of the mark sweep: a due mark is carried out within one interval."
  type        = string
  default     = "*/5 * * * *"
}

variable "resume_signing_secret_id" {
  description = "Secret Manager secret (id in project) holding the key that signs requests to the resume route (<approvals>/resume); empty disables the route."
  type        = string
  default     = ""
}

variable "openai_admin_key_secret_id" {
  description = "Secret Manager secret (id in project) holding an OpenAI admin key (sk-admin-…); empty: no OpenAI levers."
  type        = string
  default     = ""
}

variable "anthropic_admin_key_secret_id" {
  description = "Secret Manager secret (id in project) holding an Anthropic admin key (sk-ant-admin…); empty: no Anthropic levers."
  type        = string
  default     = ""
}

variable "approvals_expiry_schedule" {
  description = "Cron schedule (UTC) of the sweep that gives unanswered approval requests their default."
  type        = string
  default     = "*/15 * * * *"
}

variable "lake_catalog_type" {
  description = "The lake the budgets read (costplane.config.CatalogSettings): the Iceberg catalog cost ingest writes, \"rest\" (BigLake's Iceberg REST catalog, Polaris, Lakekeeper…) or \"sql\" (PostgreSQL); empty: no lake, budgets price from the shipped sheet and read no actuals."
  type        = string
  default     = ""

  validation {
    condition     = contains(["", "rest", "sql"], var.lake_catalog_type)
    error_message = "lake_catalog_type is \"\", \"rest\" or \"sql\"."
  }
}

variable "lake_catalog_uri" {
  description = "The lake catalog's URI (the REST endpoint, or the SQL catalog's SQLAlchemy URL)."
  type        = string
  default     = ""
}

variable "lake_catalog_warehouse" {
  description = "The lake's warehouse, gs://<bucket>/<path>: the policy runner may read (never write) that bucket's objects."
  type        = string
  default     = ""

  validation {
    condition     = var.lake_catalog_warehouse == "" || can(regex("^gs://[^/]+", var.lake_catalog_warehouse))
    error_message = "lake_catalog_warehouse is a gs:// URI."
  }
}

variable "lake_catalog_namespace" {
  description = "Namespace of the lake's tables."
  type        = string
  default     = "costplane"
}

variable "lake_catalog_properties" {
  description = "Further pyiceberg catalog and FileIO properties (no secrets: they are plain environment)."
  type        = map(string)
  default     = {}
}
