output "function_name" {
  description = "The example function."
  value       = module.function.function_name
}

output "log_group_name" {
  description = "Its log group."
  value       = module.function.log_group_name
}
