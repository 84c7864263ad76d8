output "registered" {
  description = "Whether the module registers webhooks (false when enabled is false)."
  value       = var.enabled
}

output "webhook_name" {
  description = "Name of the webhooks in Pipedrive."
  value       = local.webhook.name
}

output "subscriptions" {
  description = "The subscriptions, defaults filled in, by key (version/object/action, the action in its v2 spelling): one webhook each."
  value       = local.by_key
}

output "registration_json" {
  description = "The stack's registration as JSON, every subscription (internal/registration's Stack): what the watchdog is given in WEBHOOK_REGISTRATION. It depends on the registrations, so a watchdog given it is created after them and destroyed before them. Nothing in it is secret."
  value       = local.registration_json
  depends_on  = [terraform_data.webhook, terraform_data.url]
}

output "registration" {
  description = "The stack's registration (registration_json decoded) with the tool's command and the ids it retires; null when disabled. Nothing in it is secret."
  value       = var.enabled ? merge(local.registration, { command = local.command, retire = local.retire }) : null
}

output "webhook_resources" {
  description = "Each subscription's registration resource id, by subscription key: an id that changes is a subscription registered anew (a rotation), a key that goes is one deleted."
  value       = { for k, r in terraform_data.webhook : k => r.id }
}
