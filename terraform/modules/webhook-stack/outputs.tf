output "webhook_url" {
  description = "The URL Pipedrive delivers to."
  value       = module.receiver.webhook_url
}

output "function_name" {
  description = "Name of the Lambda function."
  value       = module.receiver.function_name
}

output "log_group_name" {
  description = "The function's log group (make logs tails it)."
  value       = module.receiver.log_group_name
}

output "log_retention_in_days" {
  description = "Retention of the function's log group, in days."
  value       = var.log_retention_in_days
}

output "api_id" {
  description = "ID of the API Gateway HTTP API."
  value       = module.receiver.api_id
}

output "role_arn" {
  description = "ARN of the function's IAM role."
  value       = module.receiver.role_arn
}

output "api_token_parameter_name" {
  description = "SSM parameter of the Pipedrive API token."
  value       = var.token_parameter_name
}

output "region" {
  description = "The stack's region (make targets pass it to the registration tool)."
  value       = module.receiver.region
}

output "webhook_auth_parameter_name" {
  description = "SSM parameter of the basic-auth credentials."
  value       = module.receiver.webhook_auth_parameter_name
}

output "webhook_registered" {
  description = "Whether the webhook is registered with Pipedrive by this stack."
  value       = module.registration.registered
}

output "webhook_registration" {
  description = "The stack's registration as JSON, every subscription (the registration module's registration_json)."
  value       = module.registration.registration_json
}

output "webhook_name" {
  description = "Name of the webhook in Pipedrive."
  value       = module.registration.webhook_name
}

output "dashboard_url" {
  description = "The stack's CloudWatch dashboard."
  value       = module.monitoring.dashboard_url
}

output "alarm_topic_arn" {
  description = "The SNS topic the alarms notify."
  value       = module.monitoring.alarm_topic_arn
}

output "watchdog_function_name" {
  description = "The watchdog function (invoke it for a check now); null without one."
  value       = one(module.watchdog[*].function_name)
}

output "watchdog_log_group_name" {
  description = "Log group of the watchdog's `webhook check` records; null without a watchdog."
  value       = one(module.watchdog[*].log_group_name)
}

output "watchdog_pause_parameter_name" {
  description = "SSM parameter that pauses the watchdog without an apply (README, Operations); null without a watchdog."
  value       = one(module.watchdog[*].pause_parameter_name)
}

output "unmask_policy_arn" {
  description = "The IAM policy that lets its holder see the audit log's masked personal data (logs:Unmask), attached by the stack to nobody; null without masking."
  value       = module.receiver.unmask_policy_arn
}

output "log_deletion_protection" {
  description = "Whether CloudWatch Logs refuses to delete the audit log."
  value       = module.receiver.log_deletion_protection
}

# The parts, whole, for the roots' tests and for whoever needs more than the above.

output "receiver" {
  description = "The webhook-receiver module's outputs."
  value       = module.receiver
}

output "registration" {
  description = "The webhook-registration module's outputs (its registration is null when register_webhook is false)."
  value       = module.registration
}

output "watchdog" {
  description = "The webhook-watchdog module's outputs: a list of one, or empty without a watchdog."
  value       = module.watchdog
}

output "monitoring" {
  description = "The webhook-monitoring module's outputs."
  value       = module.monitoring
}
