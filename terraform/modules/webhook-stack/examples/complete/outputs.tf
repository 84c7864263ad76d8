output "webhook_url" {
  description = "The URL Pipedrive delivers to."
  value       = module.stack.webhook_url
}

output "dashboard_url" {
  description = "The stack's dashboard."
  value       = module.stack.dashboard_url
}
