output "webhook_url" {
  description = "The URL Pipedrive delivers to."
  value       = module.stack.webhook_url
}

output "function_name" {
  description = "Name of the Lambda function."
  value       = module.stack.function_name
}

output "log_group_name" {
  description = "The function's log group (make logs tails it)."
  value       = module.stack.log_group_name
}

output "log_retention_in_days" {
  description = "Retention of the function's log group, in days."
  value       = module.stack.log_retention_in_days
}

output "api_id" {
  description = "ID of the API Gateway HTTP API."
  value       = module.stack.api_id
}

output "role_arn" {
  description = "ARN of the function's IAM role."
  value       = module.stack.role_arn
}

output "api_token_parameter_name" {
  description = "SSM parameter of the Pipedrive API token."
  value       = module.stack.api_token_parameter_name
}

output "region" {
  description = "The stack's region (make targets pass it to the registration tool)."
  value       = module.stack.region
}

output "webhook_auth_parameter_name" {
  description = "SSM parameter of the basic-auth credentials."
  value       = module.stack.webhook_auth_parameter_name
}

output "webhook_registered" {
  description = "Whether the webhook is registered with Pipedrive by this stack."
  value       = module.stack.webhook_registered
}

output "webhook_registration" {
  description = "The stack's registration as JSON, every subscription: what the registration tool and the watchdog get (make register passes it to the tool). Nothing in it is secret."
  value       = module.stack.webhook_registration
}

output "webhook_name" {
  description = "Name of the webhook in Pipedrive."
  value       = module.stack.webhook_name
}

output "dashboard_url" {
  description = "The stack's CloudWatch dashboard."
  value       = module.stack.dashboard_url
}

output "alarm_topic_arn" {
  description = "The SNS topic the alarms notify."
  value       = module.stack.alarm_topic_arn
}

output "watchdog_function_name" {
  description = "The watchdog function (invoke it for a check now); null without one."
  value       = module.stack.watchdog_function_name
}

output "watchdog_log_group_name" {
  description = "Log group of the watchdog's `webhook check` records; null without a watchdog."
  value       = module.stack.watchdog_log_group_name
}

output "watchdog_pause_parameter_name" {
  description = "SSM parameter that pauses the watchdog without an apply (README, Operations); null without a watchdog."
  value       = module.stack.watchdog_pause_parameter_name
}

output "unmask_policy_arn" {
  description = "The IAM policy that lets its holder see the audit log's masked personal data (logs:Unmask), attached by the stack to nobody; null without masking."
  value       = module.stack.unmask_policy_arn
}

output "log_deletion_protection" {
  description = "Whether CloudWatch Logs refuses to delete the audit log."
  value       = module.stack.log_deletion_protection
}
