# costplane tag enforcer on GCP: Admin Activity audit-log entries through a log sink and a
# Pub/Sub push subscription (retries, then a dead-letter topic) to a Cloud Run function
# (2nd gen) that checks labels, attributes an owner and acts; Firestore for claims and the
# decisions audit log.
#
# Why a sink and not an Eventarc audit-log trigger: an Eventarc trigger matches one
# serviceName and one methodName exactly, so the methods below would need a trigger each, and
# it only sees the project it lives in. One sink filter routes every governed method, from one
# project or a whole organization, and the subscription gives retries and a dead-letter topic.
# The function also serves Eventarc (entry point `tag_enforcer`, same module) should one
# prefer triggers: both routes yield the same idempotency key, so an entry is acted on once.

data "google_project" "this" {
  project_id = var.project
}

locals {
  organization = var.scope == "organization"

  # Audit-log methods costplane's parser governs (costplane.adapters.gcp.auditlog_methods.
  # METHODS; tests/infra/test_terraform_gcp.py keeps them equal). Logging's `:` operator is a
  # case-insensitive substring match, so one term covers every API version a method is logged
  # under: compute.instances.insert matches v1.compute… and beta.compute…, and
  # ClusterManager.CreateCluster matches google.container.v1.… and google.container.v1beta1.….
  governed_methods = [
    "compute.instances.insert",
    "compute.instances.setLabels",
    "compute.instances.delete",
    "compute.instanceTemplates.insert",
    "compute.instanceTemplates.delete",
    "storage.buckets.create",
    "storage.buckets.delete",
    "cloudsql.instances.create",
    "cloudsql.instances.delete",
    "SqlInstancesService.Insert",
    "SqlInstancesService.Delete",
    "ClusterManager.CreateCluster",
    "ClusterManager.SetLabels",
    "ClusterManager.DeleteCluster",
    "datasetservice.insert",
    "datasetservice.delete",
    "DatasetService.InsertDataset",
    "DatasetService.DeleteDataset",
    "Publisher.CreateTopic",
    "Publisher.DeleteTopic",
    "compute.disks.insert",
    "compute.disks.setLabels",
    "compute.disks.delete",
    "compute.images.insert",
    "compute.images.setLabels",
    "compute.images.delete",
    "compute.snapshots.setLabels",
    "compute.snapshots.delete",
    "Subscriber.CreateSubscription",
    "Subscriber.DeleteSubscription",
    "InstanceAdmin.CreateInstance",
    "InstanceAdmin.DeleteInstance",
    "EndpointService.CreateEndpoint",
    "EndpointService.UpdateEndpoint",
    "EndpointService.DeployModel",
    "EndpointService.UndeployModel",
    "EndpointService.DeleteEndpoint",
  ]

  # Admin Activity logs only: always on and free. Method names only, never operation.first or
  # operation.last: the parser acts on an operation's `first` entry and skips a lone `last`.
  sink_filter = join(" AND ", [
    "logName:\"cloudaudit.googleapis.com%2Factivity\"",
    "protoPayload.methodName:(${join(" OR ", [for m in local.governed_methods : "\"${m}\""])})",
  ])

  # Exactly what the GCP adapters call (costplane.adapters.gcp.enforcer, .inventory and
  # .capacity): one label read and write per type in .resources.KINDS, the two stops, suspend
  # and resume of an instance, throttle and resume of a GKE node pool (its size and autoscaler,
  # authorised as cluster updates; its instance groups' sizes; the operations it waits for);
  # a Vertex AI endpoint's models undeployed and deployed again (.vertex), and the project's
  # vertexai.allowedModels policy read and written to deny a Model Garden model.
  # A test keeps this list equal to its table of those calls and covering the policy actions'
  # declared permissions.
  enforcer_permissions = [
    "aiplatform.endpoints.deploy",
    "aiplatform.endpoints.get",
    "aiplatform.endpoints.undeploy",
    "aiplatform.endpoints.update",
    "aiplatform.models.deploy",
    "bigquery.datasets.get",
    "cloudasset.assets.searchAllResources",
    "bigquery.datasets.update",
    "bigquery.tables.get",
    "bigquery.tables.update",
    "cloudsql.instances.get",
    "cloudsql.instances.update",
    "compute.disks.get",
    "compute.disks.setLabels",
    "compute.images.get",
    "compute.images.setLabels",
    "compute.instanceGroupManagers.get",
    "compute.instances.get",
    "compute.instances.setLabels",
    "compute.instances.start",
    "compute.instances.stop",
    "compute.snapshots.get",
    "compute.snapshots.setLabels",
    "container.clusters.get",
    "container.clusters.update",
    "container.operations.get",
    "dataproc.clusters.get",
    "dataproc.clusters.update",
    "orgpolicy.policies.create",
    "orgpolicy.policies.delete",
    "orgpolicy.policies.update",
    "orgpolicy.policy.get",
    "pubsub.subscriptions.get",
    "pubsub.subscriptions.update",
    "pubsub.topics.get",
    "pubsub.topics.update",
    "redis.instances.get",
    "redis.instances.update",
    "run.services.get",
    "run.services.update",
    "spanner.instances.get",
    "spanner.instances.update",
    "storage.buckets.get",
    "storage.buckets.update",
  ]

  # costplane.config.Settings and costplane.config.GcpSettings read these.
  environment = {
    COSTPLANE_PLANE                = "gcp"
    COSTPLANE_MODE                 = var.mode
    COSTPLANE_GCP_STATE_PROJECT    = var.project
    COSTPLANE_GCP_STATE_DATABASE   = google_firestore_database.state.name
    COSTPLANE_GCP_STATE_COLLECTION = var.state_collection
  }
  # Unset rather than empty: an empty COSTPLANE_TAXONOMY would name the current directory.
  taxonomy = var.taxonomy_path == "" ? {} : { COSTPLANE_TAXONOMY = var.taxonomy_path }

  # The lake the budgets read (costplane.config.CatalogSettings), as cost ingest writes it;
  # unset without a catalog. pyarrow reads gs:// files with the function's service account
  # (the metadata server's credentials): FileIO is pinned to pyarrow's.
  lake = var.lake_catalog_type == "" ? {} : {
    COSTPLANE_CATALOG_TYPE      = var.lake_catalog_type
    COSTPLANE_CATALOG_URI       = var.lake_catalog_uri
    COSTPLANE_CATALOG_WAREHOUSE = var.lake_catalog_warehouse
    COSTPLANE_CATALOG_NAMESPACE = var.lake_catalog_namespace
    COSTPLANE_CATALOG_PROPERTIES = jsonencode(merge(
      { "py-io-impl" = "pyiceberg.io.pyarrow.PyArrowFileIO" },
      var.lake_catalog_properties,
    ))
  }
  # The warehouse's bucket, which the policy runner reads.
  lake_bucket = var.lake_catalog_type == "" || var.lake_catalog_warehouse == "" ? "" : regex("^gs://([^/]+)", var.lake_catalog_warehouse)[0]

  apis = toset([
    "artifactregistry.googleapis.com",
    "cloudasset.googleapis.com",
    "cloudbuild.googleapis.com",
    "cloudfunctions.googleapis.com",
    "cloudasset.googleapis.com",
    "cloudscheduler.googleapis.com",
    "firestore.googleapis.com",
    "iam.googleapis.com",
    "logging.googleapis.com",
    "monitoring.googleapis.com",
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "storage.googleapis.com",
  ])

  pubsub_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
  sink_writer = one(concat(
    google_logging_project_sink.audit_log[*].writer_identity,
    google_logging_organization_sink.audit_log[*].writer_identity,
  ))

  # Each function's source: its directory under functions_dir plus the costplane package beside
  # main.py, which is how main.py imports it (costplane is not on PyPI).
  functions_dir = "${path.module}/../../functions/gcp"
  package_dir   = "${path.module}/../../shared/costplane"
  package_files = [for f in fileset(local.package_dir, "**") : f if !strcontains(f, "__pycache__")]
}

resource "google_project_service" "apis" {
  for_each           = local.apis
  project            = var.project
  service            = each.value
  disable_on_destroy = false
}

# ---------------------------------------------------------------------------------------------
# Identities: the function's (acts on resources, keeps state), the push subscription's (invokes
# the function), and the build's (turns the source into the function's image).

resource "google_service_account" "enforcer" {
  project      = var.project
  account_id   = "costplane-enforcer"
  display_name = "costplane tag enforcer"
  description  = "Reads and writes labels, stops governed resources, keeps costplane's state."
}

resource "google_service_account" "invoker" {
  project      = var.project
  account_id   = "costplane-invoker"
  display_name = "costplane push subscription"
  description  = "Signs the OIDC tokens of Pub/Sub pushes and of the approvals expiry schedule."
}

resource "google_service_account" "builder" {
  project      = var.project
  account_id   = "costplane-builder"
  display_name = "costplane function builds"
  description  = "Cloud Build identity for the tag enforcer's image."
}

resource "google_project_iam_custom_role" "enforcer" {
  count       = local.organization ? 0 : 1
  project     = var.project
  role_id     = "costplane_enforcer"
  title       = "costplane enforcer"
  description = "Label governed resources; stop and start instances, stop Cloud SQL; resize GKE node pools."
  permissions = local.enforcer_permissions
}

resource "google_project_iam_member" "enforcer" {
  count   = local.organization ? 0 : 1
  project = var.project
  role    = google_project_iam_custom_role.enforcer[0].name
  member  = google_service_account.enforcer.member
}

resource "google_organization_iam_custom_role" "enforcer" {
  count       = local.organization ? 1 : 0
  org_id      = var.organization_id
  role_id     = "costplane_enforcer"
  title       = "costplane enforcer"
  description = "Label governed resources; stop and start instances, stop Cloud SQL; resize GKE node pools."
  permissions = local.enforcer_permissions
}

resource "google_organization_iam_member" "enforcer" {
  count  = local.organization ? 1 : 0
  org_id = var.organization_id
  role   = google_organization_iam_custom_role.enforcer[0].name
  member = google_service_account.enforcer.member
}

# ---------------------------------------------------------------------------------------------
# State: claims and the decisions audit log (costplane.adapters.gcp.firestore).

resource "google_firestore_database" "state" {
  project                           = var.project
  name                              = var.firestore_database
  location_id                       = coalesce(var.firestore_location, var.region)
  type                              = "FIRESTORE_NATIVE"
  point_in_time_recovery_enablement = "POINT_IN_TIME_RECOVERY_ENABLED"
  # The audit log outlives the deployment: `terraform destroy` leaves the database in place.
  delete_protection_state = "DELETE_PROTECTION_ENABLED"
  deletion_policy         = "ABANDON"

  depends_on = [google_project_service.apis]
}

# Expired claims are deleted by Firestore (claims stay correct without it: an expired claim is
# taken over). No index on a TTL field: its values only ever move forward, which hot-spots one.
resource "google_firestore_field" "claim_expiry" {
  project    = var.project
  database   = google_firestore_database.state.name
  collection = "${var.state_collection}_claims"
  field      = "expires"

  ttl_config {}
  index_config {}
}

# roles/datastore.user on this database only.
resource "google_project_iam_member" "enforcer_state" {
  project = var.project
  role    = "roles/datastore.user"
  member  = google_service_account.enforcer.member

  condition {
    title      = "costplane-state-only"
    expression = "resource.name == \"projects/${var.project}/databases/${google_firestore_database.state.name}\""
  }
}

# ---------------------------------------------------------------------------------------------
# The functions: one source archive per directory of functions/gcp, built into an image, run by
# Cloud Run. All run as the enforcer's identity: its custom role holds every permission the
# policy actions declare for GCP (an approved request's action runs through it too), and its
# roles/datastore.user binding reaches the claims, the decisions and the approval requests.

locals {
  # Keyed by the name costplane gives each function on every cloud. Each deploys under its key
  # with hyphens: the Cloud Run service behind a function takes its name, and Cloud Run names
  # allow no underscore. `source` is the function's directory under functions_dir.
  functions = {
    tag_enforcer = {
      description   = "Checks the labels of new and re-labelled resources and enforces the taxonomy."
      source        = "tag_enforcer"
      entry_point   = "tag_enforcer_push"
      memory        = "512Mi"
      timeout       = 60
      max_instances = var.max_instances
      # Internal only: Pub/Sub pushes from this project count as internal; nothing else may call.
      ingress     = "ALLOW_INTERNAL_ONLY"
      invoker     = google_service_account.invoker.member
      environment = merge(local.environment, local.taxonomy)
      secrets     = {}
    }
    policy_runner = {
      description = "Runs every policy and budget threshold against resource events, and acts."
      source      = "policy_runner"
      entry_point = "policy_runner_push"
      # The budgets' lake readers (pyarrow, pyiceberg, duckdb) load with the runner.
      memory        = "1Gi"
      timeout       = 60
      max_instances = var.max_instances
      ingress       = "ALLOW_INTERNAL_ONLY"
      invoker       = google_service_account.invoker.member
      # Budget run-rates, signals and reservations live in Firestore beside the claims. It
      # posts approval requests: the channels' settings and the secrets that post (never the
      # ones that verify callbacks).
      environment = merge(local.environment, local.policy_files, local.chat_environment, local.lake, { COSTPLANE_LAKE = "/tmp/costplane" })
      # It acts: the AI vendors' admin keys too, when configured.
      secrets = merge(local.posting_secrets, local.ai_vendor_secrets)
    }
    approvals = {
      description   = "Slack and Teams callbacks: decides approval requests and runs approved actions."
      source        = "approvals"
      entry_point   = "approvals"
      memory        = "512Mi"
      timeout       = 60
      max_instances = var.max_instances
      # All traffic: Slack and the Bot Connector call from the internet, and cannot present a
      # Google identity. The function verifies every request itself before reading it (Slack's
      # signing secret, the Bot Framework's signed JWT) and answers 401 to a forged or stale one.
      ingress = "ALLOW_ALL"
      # Anyone may invoke the callbacks: Slack and Teams webhooks carry no Google credentials,
      # so Cloud Run's IAM cannot tell them apart from anyone else. Authentication is the
      # function's: it rejects any request whose Slack signature or Bot Framework token does
      # not verify.
      invoker     = "allUsers"
      environment = merge(local.approvals_environment, local.taxonomy)
      # It runs approved actions and resumes: the AI vendors' admin keys too, when configured.
      secrets = merge(local.approvals_secrets, local.ai_vendor_secrets)
    }
    # The expiry sweep: same source, internal only (Cloud Scheduler in this project counts as
    # internal), invoked with an OIDC token by the identity the push subscriptions use.
    approvals_expire = {
      description   = "Gives approval requests nobody answered their configured default."
      source        = "approvals"
      entry_point   = "approvals_expire"
      memory        = "512Mi"
      timeout       = 300
      max_instances = 1
      ingress       = "ALLOW_INTERNAL_ONLY"
      invoker       = google_service_account.invoker.member
      environment   = merge(local.approvals_environment, local.taxonomy)
      # Expiring a request updates its Slack or Teams message: the same credentials.
      secrets = local.approvals_secrets
    }
    # The mark sweep (issue 17): Cloud Scheduler calls it every sweep_schedule; it searches
    # Cloud Asset Inventory for the mark label in the deployment's scope and acts on the marks
    # that came due. One instance at a time; its budget (240 s) is under its timeout.
    mark_sweep = {
      description   = "Acts on resources whose mark-for-op came due, even if no event names them."
      source        = "mark_sweep"
      entry_point   = "mark_sweep"
      memory        = "512Mi"
      timeout       = 300
      max_instances = 1
      ingress       = "ALLOW_INTERNAL_ONLY"
      invoker       = google_service_account.invoker.member
      environment = merge(local.environment, local.taxonomy, {
        COSTPLANE_SWEEP_SCOPE          = local.sweep_scope
        COSTPLANE_SWEEP_BUDGET_SECONDS = "240"
      })
      secrets = {}
    }
    # The hourly AI usage pull (issue 10): OpenAI's and Anthropic's usage and cost reports, per
    # organisation whose admin key the secret holds, landed as one object per (source,
    # organisation, month) under ai_pull_prefix for cost ingest. Deployed only with a keys
    # secret and a bucket; a report that failed is pulled again the next hour.
    ai_pull = {
      description   = "Lands the OpenAI and Anthropic usage and cost reports for cost ingest, hourly."
      source        = "ai_pull"
      entry_point   = "ai_pull"
      memory        = "512Mi"
      timeout       = 900
      max_instances = 1
      ingress       = "ALLOW_INTERNAL_ONLY"
      invoker       = google_service_account.invoker.member
      environment = merge(local.environment, {
        COSTPLANE_AI_PULL_LOCATION        = "gs://${var.ai_pull_bucket}/${var.ai_pull_prefix}"
        COSTPLANE_AI_RETRY_BUDGET_SECONDS = "120"
      })
      secrets = local.ai_pull_secrets
    }
  }
  sweep_scope = local.organization ? "organizations/${var.organization_id}" : "projects/${var.project}"
}

# Each source directory with the costplane package beside main.py.
data "archive_file" "function" {
  for_each    = toset([for function in local.functions : function.source])
  type        = "zip"
  output_path = "${path.module}/.build/${each.key}.zip"

  dynamic "source" {
    for_each = fileset("${local.functions_dir}/${each.key}", "*.{py,txt}")
    content {
      content  = file("${local.functions_dir}/${each.key}/${source.value}")
      filename = source.value
    }
  }

  dynamic "source" {
    for_each = local.package_files
    content {
      content  = file("${local.package_dir}/${source.value}")
      filename = "costplane/${source.value}"
    }
  }
}

resource "google_storage_bucket" "source" {
  #checkov:skip=CKV_GCP_62: Holds build inputs only, written by Terraform; Cloud Audit Logs record every access, usage logs would add a second bucket and no insight.
  project                     = var.project
  name                        = "${var.project}-costplane-source"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  force_destroy               = true
  labels                      = var.labels

  versioning {
    enabled = true
  }

  # Each deployment uploads a new archive; old ones are of no use a month later.
  lifecycle_rule {
    condition {
      age = 30
    }
    action {
      type = "Delete"
    }
  }

  depends_on = [google_project_service.apis]
}

resource "google_storage_bucket_object" "function" {
  for_each = data.archive_file.function
  bucket   = google_storage_bucket.source.name
  name     = "${each.key}-${each.value.output_md5}.zip"
  source   = each.value.output_path
}

resource "google_artifact_registry_repository" "functions" {
  #checkov:skip=CKV_GCP_84: The images hold costplane's public code and no data; Google-managed encryption suffices.
  project       = var.project
  location      = var.region
  repository_id = "costplane-functions"
  description   = "Images of costplane's functions, built from the source bucket."
  format        = "DOCKER"
  labels        = var.labels

  depends_on = [google_project_service.apis]
}

resource "google_project_iam_member" "builder_logs" {
  project = var.project
  role    = "roles/logging.logWriter"
  member  = google_service_account.builder.member
}

resource "google_artifact_registry_repository_iam_member" "builder_pushes" {
  project    = var.project
  location   = google_artifact_registry_repository.functions.location
  repository = google_artifact_registry_repository.functions.name
  role       = "roles/artifactregistry.writer"
  member     = google_service_account.builder.member
}

resource "google_storage_bucket_iam_member" "builder_reads_source" {
  bucket = google_storage_bucket.source.name
  role   = "roles/storage.objectViewer"
  member = google_service_account.builder.member
}

resource "google_cloudfunctions2_function" "function" {
  #checkov:skip=CKV_GCP_124: Only the approvals callbacks allow all ingress (local.functions; every other function is internal only): Slack and the Bot Connector call from the internet, and the function verifies each request's Slack signature or Bot Framework JWT before reading it.
  for_each    = local.deployed_functions
  project     = var.project
  location    = var.region
  name        = replace(each.key, "_", "-")
  description = each.value.description
  labels      = var.labels

  build_config {
    runtime           = "python311"
    entry_point       = each.value.entry_point
    service_account   = google_service_account.builder.id
    docker_repository = google_artifact_registry_repository.functions.id

    source {
      storage_source {
        bucket = google_storage_bucket.source.name
        object = google_storage_bucket_object.function[each.value.source].name
      }
    }
  }

  service_config {
    available_memory                 = each.value.memory
    timeout_seconds                  = each.value.timeout
    min_instance_count               = 0
    max_instance_count               = each.value.max_instances
    max_instance_request_concurrency = 1
    ingress_settings                 = each.value.ingress
    all_traffic_on_latest_revision   = true
    service_account_email            = google_service_account.enforcer.email
    environment_variables            = each.value.environment

    # Secret Manager ids, read at an instance's start: no secret value in the configuration.
    dynamic "secret_environment_variables" {
      for_each = each.value.secrets
      content {
        key        = secret_environment_variables.key
        project_id = var.project
        secret     = secret_environment_variables.value
        version    = "latest"
      }
    }
  }

  depends_on = [
    google_project_service.apis,
    google_project_iam_member.builder_logs,
    google_artifact_registry_repository_iam_member.builder_pushes,
    google_storage_bucket_iam_member.builder_reads_source,
    google_secret_manager_secret_iam_member.approvals,
    google_secret_manager_secret_iam_member.ai_admin_keys,
  ]
}

resource "google_cloud_run_v2_service_iam_member" "invoker" {
  for_each = local.deployed_functions
  project  = var.project
  location = var.region
  name     = google_cloudfunctions2_function.function[each.key].service_config[0].service
  role     = "roles/run.invoker"
  member   = each.value.invoker
}

# ---------------------------------------------------------------------------------------------
# Delivery: sink -> topic -> push subscription -> function; dead letters kept for a week.

resource "google_pubsub_topic" "audit_log" {
  #checkov:skip=CKV_GCP_83: Carries Admin Activity entries that Cloud Logging already holds with Google-managed keys; a CMEK would add a key to operate and no protection.
  project                    = var.project
  name                       = "costplane-audit-log"
  message_retention_duration = "86400s"
  labels                     = var.labels

  depends_on = [google_project_service.apis]
}

resource "google_pubsub_topic" "dead_letter" {
  #checkov:skip=CKV_GCP_83: Same entries as costplane-audit-log, after every retry failed; Google-managed keys as there.
  project = var.project
  name    = "costplane-audit-log-dead-letter"
  labels  = var.labels

  depends_on = [google_project_service.apis]
}

resource "google_logging_project_sink" "audit_log" {
  count                  = local.organization ? 0 : 1
  project                = var.project
  name                   = "costplane-audit-log"
  description            = "Governed resource operations, to the costplane tag enforcer."
  destination            = "pubsub.googleapis.com/${google_pubsub_topic.audit_log.id}"
  filter                 = local.sink_filter
  unique_writer_identity = true
}

resource "google_logging_organization_sink" "audit_log" {
  count            = local.organization ? 1 : 0
  org_id           = var.organization_id
  name             = "costplane-audit-log"
  description      = "Governed resource operations in every project, to the costplane tag enforcer."
  destination      = "pubsub.googleapis.com/${google_pubsub_topic.audit_log.id}"
  filter           = local.sink_filter
  include_children = true

  lifecycle {
    precondition {
      condition     = var.organization_id != ""
      error_message = "scope = \"organization\" needs organization_id."
    }
  }
}

resource "google_pubsub_topic_iam_member" "sink_publishes" {
  project = var.project
  topic   = google_pubsub_topic.audit_log.name
  role    = "roles/pubsub.publisher"
  member  = local.sink_writer
}

# ---------------------------------------------------------------------------------------------
# The catch-all: a Cloud Asset Inventory feed publishes every change to the governed asset types
# (labels included) to the same topic; the functions read TemporalAssets beside audit-log
# entries (costplane.adapters.gcp.asset_feed, whose GOVERNED these types are).

locals {
  governed_asset_types = [
    "aiplatform.googleapis.com/Endpoint",
    "bigquery.googleapis.com/Dataset",
    "bigquery.googleapis.com/Table",
    "bigtableadmin.googleapis.com/Instance",
    "cloudfunctions.googleapis.com/CloudFunction",
    "compute.googleapis.com/Address",
    "compute.googleapis.com/Disk",
    "compute.googleapis.com/ForwardingRule",
    "compute.googleapis.com/Image",
    "compute.googleapis.com/Instance",
    "compute.googleapis.com/InstanceTemplate",
    "compute.googleapis.com/Snapshot",
    "container.googleapis.com/Cluster",
    "container.googleapis.com/NodePool",
    "dataproc.googleapis.com/Cluster",
    "file.googleapis.com/Instance",
    "pubsub.googleapis.com/Subscription",
    "pubsub.googleapis.com/Topic",
    "redis.googleapis.com/Instance",
    "run.googleapis.com/Service",
    "spanner.googleapis.com/Instance",
    "sqladmin.googleapis.com/Instance",
    "storage.googleapis.com/Bucket",
  ]
  asset_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-cloudasset.iam.gserviceaccount.com"
}

resource "google_cloud_asset_project_feed" "resources" {
  count           = local.organization ? 0 : 1
  project         = var.project
  billing_project = var.project
  feed_id         = "costplane-resources"
  content_type    = "RESOURCE"
  asset_types     = local.governed_asset_types

  feed_output_config {
    pubsub_destination {
      topic = google_pubsub_topic.audit_log.id
    }
  }

  depends_on = [google_project_service.apis, google_pubsub_topic_iam_member.asset_feed_publishes]
}

resource "google_cloud_asset_organization_feed" "resources" {
  count           = local.organization ? 1 : 0
  org_id          = var.organization_id
  billing_project = var.project
  feed_id         = "costplane-resources"
  content_type    = "RESOURCE"
  asset_types     = local.governed_asset_types

  feed_output_config {
    pubsub_destination {
      topic = google_pubsub_topic.audit_log.id
    }
  }

  depends_on = [google_project_service.apis, google_pubsub_topic_iam_member.asset_feed_publishes]
}

resource "google_pubsub_topic_iam_member" "asset_feed_publishes" {
  project = var.project
  topic   = google_pubsub_topic.audit_log.name
  role    = "roles/pubsub.publisher"
  member  = local.asset_agent
}

# One push subscription per function and source: the tag enforcer's on the audit-log topic, the
# policy runner's on it and on the budgets topic.
resource "google_pubsub_subscription" "push" {
  for_each = {
    tag-enforcer            = { function = "tag_enforcer", topic = google_pubsub_topic.audit_log.id }
    policy-runner-audit-log = { function = "policy_runner", topic = google_pubsub_topic.audit_log.id }
    policy-runner-budgets   = { function = "policy_runner", topic = google_pubsub_topic.budgets.id }
  }
  project = var.project
  name    = "costplane-${each.key}"
  topic   = each.value.topic
  labels  = var.labels

  # Longer than the functions' timeout, so that a slow decision is not delivered twice.
  ack_deadline_seconds       = 120
  message_retention_duration = "86400s"

  push_config {
    push_endpoint = google_cloudfunctions2_function.function[each.value.function].service_config[0].uri

    oidc_token {
      service_account_email = google_service_account.invoker.email
      audience              = google_cloudfunctions2_function.function[each.value.function].service_config[0].uri
    }
  }

  # The function answers 500 when an action failed (its claim released): Pub/Sub delivers
  # again, then dead-letters.
  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter.id
    max_delivery_attempts = var.max_delivery_attempts
  }

  expiration_policy {
    ttl = ""
  }

  depends_on = [google_cloud_run_v2_service_iam_member.invoker]
}


# A topic without a subscription drops what it receives: this one keeps dead letters to read
# and redeliver after a fix.
resource "google_pubsub_subscription" "dead_letter" {
  project                    = var.project
  name                       = "costplane-audit-log-dead-letter"
  topic                      = google_pubsub_topic.dead_letter.id
  message_retention_duration = "604800s"
  labels                     = var.labels

  expiration_policy {
    ttl = ""
  }
}

# Dead-lettering runs as Pub/Sub's service agent: it publishes to the dead-letter topic and
# acknowledges on the source subscription. It also mints the push subscription's OIDC tokens
# (needed in projects created before April 2021).
resource "google_pubsub_topic_iam_member" "agent_dead_letters" {
  project = var.project
  topic   = google_pubsub_topic.dead_letter.name
  role    = "roles/pubsub.publisher"
  member  = local.pubsub_agent
}

resource "google_pubsub_subscription_iam_member" "agent_acknowledges" {
  for_each     = google_pubsub_subscription.push
  project      = var.project
  subscription = each.value.name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}

resource "google_service_account_iam_member" "agent_signs_push_tokens" {
  service_account_id = google_service_account.invoker.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent
}

# ---------------------------------------------------------------------------------------------
# Entries that failed every retry: an alert, by email when alert_email is set.

resource "google_monitoring_notification_channel" "email" {
  count        = var.alert_email == "" ? 0 : 1
  project      = var.project
  display_name = "costplane alerts"
  type         = "email"
  labels = {
    email_address = var.alert_email
  }
}

resource "google_monitoring_alert_policy" "dead_letters" {
  project               = var.project
  display_name          = "costplane: audit-log entries in the dead-letter subscription"
  combiner              = "OR"
  notification_channels = google_monitoring_notification_channel.email[*].id

  conditions {
    display_name = "undelivered dead letters"
    condition_threshold {
      filter          = "resource.type = \"pubsub_subscription\" AND resource.labels.subscription_id = \"${google_pubsub_subscription.dead_letter.name}\" AND metric.type = \"pubsub.googleapis.com/subscription/num_undelivered_messages\""
      comparison      = "COMPARISON_GT"
      threshold_value = 0
      duration        = "300s"
      aggregations {
        alignment_period   = "300s"
        per_series_aligner = "ALIGN_MAX"
      }
    }
  }

  documentation {
    content   = "The tag enforcer failed on these entries after every retry. Read them from the dead-letter subscription, fix the cause, and republish them to costplane-audit-log."
    mime_type = "text/markdown"
  }

  depends_on = [google_project_service.apis]
}

# ---------------------------------------------------------------------------------------------
# policy_runner: every policy and budget threshold against each audit-log entry (a second
# subscription on the audit-log topic), and Cloud Billing budget notifications (their own
# topic) into the budgets.

locals {
  # Unset rather than empty, as COSTPLANE_TAXONOMY.
  policy_files = merge(
    var.policies_path == "" ? {} : { COSTPLANE_POLICIES = var.policies_path },
    var.budgets_path == "" ? {} : { COSTPLANE_BUDGETS = var.budgets_path },
  )
}

# Cloud Billing budgets publish here (set a budget's "Connect a Pub/Sub topic" to it; whoever
# does needs pubsub.topics.setIamPolicy on it, and Billing grants itself the publisher role).
resource "google_pubsub_topic" "budgets" {
  #checkov:skip=CKV_GCP_83: Carries budget figures Cloud Billing already holds with Google-managed keys; a CMEK would add a key to operate and no protection.
  project                    = var.project
  name                       = "costplane-budgets"
  message_retention_duration = "86400s"
  labels                     = var.labels

  depends_on = [google_project_service.apis]
}

# The budgets read the lake's files, never write them: object reads on the warehouse's bucket.
# Writing is cost ingest's, which this configuration does not deploy, so a writer is granted
# apart; a REST catalog authorises its own metadata reads.
resource "google_storage_bucket_iam_member" "lake_reader" {
  count  = local.lake_bucket == "" ? 0 : 1
  bucket = local.lake_bucket
  role   = "roles/storage.objectViewer"
  member = google_service_account.enforcer.member
}

# ---------------------------------------------------------------------------------------------
# approvals: Slack and Teams callbacks that decide approval requests, and the expiry sweep that
# gives unanswered ones their default. Requests are documents of `<state_collection>_approvals`
# in the state database.

locals {
  # costplane.config.ApprovalSettings reads these; unset rather than empty, which
  # would configure a channel with an empty value.
  chat_environment = {
    for name, value in {
      COSTPLANE_SLACK_CHANNEL      = var.slack_channel
      COSTPLANE_TEAMS_APP_ID       = var.teams_app_id
      COSTPLANE_TEAMS_TENANT       = var.teams_tenant
      COSTPLANE_TEAMS_SERVICE_URL  = var.teams_service_url
      COSTPLANE_TEAMS_CONVERSATION = var.teams_conversation
    } : name => value if value != ""
  }
  approvals_environment = merge(local.environment, local.chat_environment)

  # The channels' secrets: Secret Manager ids, mounted as environment variables at start, so
  # that no secret value is in Terraform's variables, state or the function's configuration.
  approvals_secrets = {
    for name, id in {
      COSTPLANE_SLACK_SIGNING_SECRET  = var.slack_signing_secret_id
      COSTPLANE_SLACK_BOT_TOKEN       = var.slack_bot_token_secret_id
      COSTPLANE_TEAMS_APP_PASSWORD    = var.teams_app_password_secret_id
      COSTPLANE_RESUME_SIGNING_SECRET = var.resume_signing_secret_id
    } : name => id if id != ""
  }
  # The AI vendors' admin keys (costplane.config.AiVendorSettings), for the functions that act.
  ai_vendor_secrets = {
    for name, id in {
      COSTPLANE_OPENAI_ADMIN_KEY    = var.openai_admin_key_secret_id
      COSTPLANE_ANTHROPIC_ADMIN_KEY = var.anthropic_admin_key_secret_id
    } : name => id if id != ""
  }
  # What the policy runner posts requests with: the bot token and the bot's client secret.
  posting_secrets = {
    for name, id in local.approvals_secrets : name => id
    if contains(["COSTPLANE_SLACK_BOT_TOKEN", "COSTPLANE_TEAMS_APP_PASSWORD"], name)
  }

  # The public callback function exists only when a callback can be verified: Slack's signing
  # secret, the Teams bot's app id (the tokens' audience) or the resume route's signing key.
  callbacks_configured = anytrue([
    var.slack_signing_secret_id != "",
    var.teams_app_id != "",
    var.resume_signing_secret_id != "",
  ])
  deployed_functions = {
    for name, function in local.functions : name => function
    if(name != "approvals" || local.callbacks_configured) && (name != "ai_pull" || local.pulls_ai_usage)
  }
}

# The AI usage pull: its admin keys mounted from Secret Manager at an instance's start (never a
# value in Terraform's variables, state or the function's configuration), and leave to replace
# objects under its prefix of the bill bucket, nothing else of it.
locals {
  pulls_ai_usage  = var.ai_admin_keys_secret_id != "" && var.ai_pull_bucket != ""
  ai_pull_secrets = local.pulls_ai_usage ? { COSTPLANE_AI_ADMIN_KEYS = var.ai_admin_keys_secret_id } : {}
}

resource "google_secret_manager_secret_iam_member" "ai_admin_keys" {
  count     = local.pulls_ai_usage ? 1 : 0
  project   = var.project
  secret_id = var.ai_admin_keys_secret_id
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.enforcer.member
}

resource "google_storage_bucket_iam_member" "ai_pull_lands" {
  count  = local.pulls_ai_usage ? 1 : 0
  bucket = var.ai_pull_bucket
  role   = "roles/storage.objectUser"
  member = google_service_account.enforcer.member

  condition {
    title       = "costplane-ai-pull-prefix"
    description = "Only the AI usage pull's reports."
    expression  = "resource.name.startsWith(\"projects/_/buckets/${var.ai_pull_bucket}/objects/${var.ai_pull_prefix}\")"
  }
}

# The function reads each secret's latest version when an instance starts.
resource "google_secret_manager_secret_iam_member" "approvals" {
  for_each  = toset(values(merge(local.approvals_secrets, local.ai_vendor_secrets)))
  project   = var.project
  secret_id = each.value
  role      = "roles/secretmanager.secretAccessor"
  member    = google_service_account.enforcer.member
}

# Cloud Scheduler calls the sweeps over HTTP with an OIDC token of the invoker identity: the
# approvals expiry, and the mark sweep (which searches Cloud Asset Inventory in the deployment's
# scope for the mark label, then acts through the enforcer's role).
# The AI usage pull is called likewise, when it is deployed; its deadline outlasts its timeout.
locals {
  scheduled = {
    approvals_expire = { schedule = var.approvals_expiry_schedule, description = "Runs the approvals expiry sweep.", deadline = "320s" }
    mark_sweep       = { schedule = var.sweep_schedule, description = "Runs the mark sweep.", deadline = "320s" }
    ai_pull          = { schedule = var.ai_pull_schedule, description = "Runs the AI usage pull.", deadline = "920s" }
  }
  scheduled_jobs = {
    for name, job in local.scheduled : name => job if contains(keys(local.deployed_functions), name)
  }
}

resource "google_cloud_scheduler_job" "scheduled" {
  for_each         = local.scheduled_jobs
  project          = var.project
  region           = var.region
  name             = "costplane-${replace(each.key, "_", "-")}"
  description      = each.value.description
  schedule         = each.value.schedule
  time_zone        = "Etc/UTC"
  attempt_deadline = each.value.deadline

  http_target {
    http_method = "POST"
    uri         = google_cloudfunctions2_function.function[each.key].service_config[0].uri

    oidc_token {
      service_account_email = google_service_account.invoker.email
      audience              = google_cloudfunctions2_function.function[each.key].service_config[0].uri
    }
  }

  depends_on = [
    google_project_service.apis,
    google_cloud_run_v2_service_iam_member.invoker,
  ]
}

# ---------------------------------------------------------------------------------------------
# Where each function's resources stood before they shared one for_each: state moves, nothing
# is replaced.

moved {
  from = google_cloud_scheduler_job.approvals_expire
  to   = google_cloud_scheduler_job.scheduled["approvals_expire"]
}

moved {
  from = google_storage_bucket_object.tag_enforcer
  to   = google_storage_bucket_object.function["tag_enforcer"]
}

moved {
  from = google_storage_bucket_object.policy_runner
  to   = google_storage_bucket_object.function["policy_runner"]
}

moved {
  from = google_storage_bucket_object.approvals
  to   = google_storage_bucket_object.function["approvals"]
}

moved {
  from = google_cloudfunctions2_function.tag_enforcer
  to   = google_cloudfunctions2_function.function["tag_enforcer"]
}

moved {
  from = google_cloudfunctions2_function.policy_runner
  to   = google_cloudfunctions2_function.function["policy_runner"]
}

moved {
  from = google_cloudfunctions2_function.approvals
  to   = google_cloudfunctions2_function.function["approvals"]
}

moved {
  from = google_cloudfunctions2_function.approvals_expire
  to   = google_cloudfunctions2_function.function["approvals_expire"]
}

moved {
  from = google_cloud_run_v2_service_iam_member.invoker
  to   = google_cloud_run_v2_service_iam_member.invoker["tag_enforcer"]
}

moved {
  from = google_cloud_run_v2_service_iam_member.policy_runner_invoker
  to   = google_cloud_run_v2_service_iam_member.invoker["policy_runner"]
}

moved {
  from = google_cloud_run_v2_service_iam_member.approvals_public
  to   = google_cloud_run_v2_service_iam_member.invoker["approvals"]
}

moved {
  from = google_cloud_run_v2_service_iam_member.approvals_expire_invoker
  to   = google_cloud_run_v2_service_iam_member.invoker["approvals_expire"]
}

moved {
  from = google_pubsub_subscription.tag_enforcer
  to   = google_pubsub_subscription.push["tag-enforcer"]
}

moved {
  from = google_pubsub_subscription.policy_runner["audit-log"]
  to   = google_pubsub_subscription.push["policy-runner-audit-log"]
}

moved {
  from = google_pubsub_subscription.policy_runner["budgets"]
  to   = google_pubsub_subscription.push["policy-runner-budgets"]
}

moved {
  from = google_pubsub_subscription_iam_member.agent_acknowledges
  to   = google_pubsub_subscription_iam_member.agent_acknowledges["tag-enforcer"]
}

moved {
  from = google_pubsub_subscription_iam_member.agent_acknowledges_policy_runner["audit-log"]
  to   = google_pubsub_subscription_iam_member.agent_acknowledges["policy-runner-audit-log"]
}

moved {
  from = google_pubsub_subscription_iam_member.agent_acknowledges_policy_runner["budgets"]
  to   = google_pubsub_subscription_iam_member.agent_acknowledges["policy-runner-budgets"]
}
