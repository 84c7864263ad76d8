output "function_name" {
  description = "Name of the watchdog function (invoke it for a check now)."
  value       = module.function.function_name
}

output "function_arn" {
  description = "ARN of the watchdog function."
  value       = module.function.function_arn
}

output "log_group_name" {
  description = "Log group of the watchdog's `webhook check` records."
  value       = module.function.log_group_name
}

output "schedule_name" {
  description = "Name of the EventBridge Scheduler schedule that runs the checks."
  value       = aws_scheduler_schedule.this.name
}

output "schedule_expression" {
  description = "When the checks run."
  value       = aws_scheduler_schedule.this.schedule_expression
}

output "role_arn" {
  description = "ARN of the watchdog function's role."
  value       = module.function.role_arn
}

output "monitoring" {
  description = "The function, its log group and the seconds between two checks, as the webhook-monitoring module's watchdog input takes them."
  value = {
    function_name    = module.function.function_name
    log_group_name   = module.function.log_group_name
    interval_seconds = local.interval_seconds
  }
}

output "pause_parameter_name" {
  description = "SSM parameter that pauses the checks without an apply: an RFC 3339 time to pause until (at most 24 hours after it is written), or off."
  value       = aws_ssm_parameter.pause.name
}

output "sender_ranges_parameter_name" {
  description = "The SSM parameter the watchdog keeps Pipedrive's sender ranges in; null when it keeps none."
  value       = try(var.sender_ranges.parameter_name, null)
}
