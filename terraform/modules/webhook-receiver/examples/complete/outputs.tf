output "webhook_url" {
  description = "The URL to register with Pipedrive."
  value       = module.receiver.webhook_url
}

output "webhook_auth_parameter_name" {
  description = "The basic-auth credentials' parameter."
  value       = module.receiver.webhook_auth_parameter_name
}
