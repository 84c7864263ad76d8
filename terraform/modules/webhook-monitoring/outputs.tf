output "namespace" {
  description = "CloudWatch namespace of the stack's own metrics."
  value       = local.namespace
}

output "metrics" {
  description = "The stack's own metrics: name => log group, pattern and dimensions."
  value       = { for k, f in aws_cloudwatch_log_metric_filter.this : k => { log_group = f.log_group_name, pattern = f.pattern, dimensions = f.metric_transformation[0].dimensions } }
}

output "alarm_topic_arn" {
  description = "The SNS topic every alarm notifies."
  value       = local.topic_arn
}

output "alarm_names" {
  description = "Names of the stack's alarms."
  value       = [for a in aws_cloudwatch_metric_alarm.this : a.alarm_name]
}

output "dashboard_name" {
  description = "Name of the CloudWatch dashboard."
  value       = aws_cloudwatch_dashboard.this.dashboard_name
}

output "dashboard_url" {
  description = "The dashboard in the CloudWatch console."
  value       = "https://${local.region}.console.aws.amazon.com/cloudwatch/home?region=${local.region}#dashboards/dashboard/${aws_cloudwatch_dashboard.this.dashboard_name}"
}
