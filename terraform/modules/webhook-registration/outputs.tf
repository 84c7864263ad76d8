output "registered" {
  description = "Whether the module registers a webhook (false when enabled is false)."
  value       = var.enabled
}

output "webhook_name" {
  description = "Name of the webhook in Pipedrive."
  value       = var.name
}

output "subscription" {
  description = "What the webhook subscribes to: URL, event action, event object and version."
  value = {
    url          = var.webhook_url
    event_action = var.event_action
    event_object = var.event_object
    version      = var.webhook_version
  }
}

output "registration" {
  description = "What the registration tool is given (URL, event, version, name, parameter names, region, command); null when disabled. Nothing in it is secret."
  value       = one(terraform_data.webhook[*].input)
}
