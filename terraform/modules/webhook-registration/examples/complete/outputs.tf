output "registration" {
  description = "What the registration tool is given."
  value       = module.registration.registration
}

output "registration_json" {
  description = "The registration as JSON, every subscription: what a watchdog is given."
  value       = module.registration.registration_json
}
