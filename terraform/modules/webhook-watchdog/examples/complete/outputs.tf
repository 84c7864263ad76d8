output "function_name" {
  description = "The watchdog function (invoke it for a check now)."
  value       = module.watchdog.function_name
}

output "pause_parameter_name" {
  description = "The parameter that pauses its checks."
  value       = module.watchdog.pause_parameter_name
}
