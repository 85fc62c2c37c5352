output "function_uri" {
  description = "The tag enforcer's URL (internal ingress: reachable by the push subscription)."
  value       = google_cloudfunctions2_function.function["tag_enforcer"].service_config[0].uri
}

output "service_account" {
  description = "The tag enforcer's identity, holding the costplane_enforcer role."
  value       = google_service_account.enforcer.email
}

output "audit_log_topic" {
  description = "Publish LogEntry JSON here to have it decided (what the sink does)."
  value       = google_pubsub_topic.audit_log.id
}

output "dead_letter_subscription" {
  description = "Entries that failed every retry; pull them to inspect or republish."
  value       = google_pubsub_subscription.dead_letter.id
}

output "firestore_database" {
  description = "The database holding claims and the decisions audit log."
  value       = google_firestore_database.state.name
}

output "sink_writer_identity" {
  description = "The identity the log sink publishes as."
  value       = local.sink_writer
}

output "budgets_topic" {
  description = "Connect your Cloud Billing budgets' notifications to this Pub/Sub topic."
  value       = google_pubsub_topic.budgets.id
}

output "approvals_callback_urls" {
  description = "Slack's interactivity request URL, the Teams bot's messaging endpoint and the resume route; null when no callback is configured."
  value = local.callbacks_configured ? {
    for route in ["slack", "teams", "resume"] :
    route => "${google_cloudfunctions2_function.function["approvals"].service_config[0].uri}/${route}"
  } : null
}
