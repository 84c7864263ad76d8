output "dashboard_url" {
  description = "The example's dashboard."
  value       = module.monitoring.dashboard_url
}
