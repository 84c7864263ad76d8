output "registration" {
  description = "What the registration tool is given."
  value       = module.registration.registration
}
