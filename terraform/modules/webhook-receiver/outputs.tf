output "webhook_url" {
  description = "The URL to register with Pipedrive: the API's endpoint plus /webhooks/pipedrive. Known once the route answers: whatever uses it is created after, and destroyed before, the stage, the route and the function's permission."
  value       = "${aws_apigatewayv2_api.this.api_endpoint}${local.webhook_path}"
  depends_on  = [aws_apigatewayv2_stage.default, aws_apigatewayv2_route.webhook, aws_lambda_permission.api]
}

output "api_id" {
  description = "ID of the API Gateway HTTP API."
  value       = aws_apigatewayv2_api.this.id
}

output "api_endpoint" {
  description = "Base URL of the API's $default stage."
  value       = aws_apigatewayv2_api.this.api_endpoint
}

output "function_name" {
  description = "Name of the Lambda function."
  value       = module.function.function_name
}

output "function_arn" {
  description = "ARN of the Lambda function."
  value       = module.function.function_arn
}

output "role_arn" {
  description = "ARN of the function's IAM role."
  value       = module.function.role_arn
}

output "log_group_name" {
  description = "The function's log group: one JSON record per webhook event."
  value       = module.function.log_group_name
}

output "access_log_group_name" {
  description = "The API's access log group."
  value       = aws_cloudwatch_log_group.access.name
}

output "webhook_auth_parameter_name" {
  description = "SSM parameter holding the webhook's basic-auth credentials (user:password)."
  value       = aws_ssm_parameter.webhook_auth.name
}

output "webhook_auth_parameter_arn" {
  description = "ARN of the basic-auth credentials parameter."
  value       = aws_ssm_parameter.webhook_auth.arn
}

output "webhook_auth_version" {
  description = "Version of the basic-auth credentials; the registration module re-registers when it changes."
  value       = aws_ssm_parameter.webhook_auth.value_wo_version
}

output "region" {
  description = "The region the stack is in, for tools that read its parameters."
  value       = data.aws_region.current.region
}

output "monitoring" {
  description = "The function, its timeout, the log groups and the API stage, as the webhook-monitoring module's receiver input takes them."
  value = {
    function_name         = module.function.function_name
    function_timeout      = module.function.function.timeout
    log_group_name        = module.function.log_group_name
    access_log_group_name = aws_cloudwatch_log_group.access.name
    api_id                = aws_apigatewayv2_api.this.id
    stage_name            = aws_apigatewayv2_stage.default.name
  }
}

output "log_deletion_protection" {
  description = "Whether CloudWatch Logs refuses to delete the audit log (its deletion protection)."
  value       = module.function.log_group.deletion_protection_enabled
}

output "masked_data_identifiers" {
  description = "The managed data identifiers masked in the audit log; empty when mask_personal_data is off."
  value       = var.mask_personal_data ? var.masked_data_identifiers : []
}

output "unmask_policy_arn" {
  description = "ARN of the IAM policy <name>-unmask-audit-log, the only grant of logs:Unmask on the audit log the stack makes, attached to nobody; null when mask_personal_data is off."
  value       = one(aws_iam_policy.unmask[*].arn)
}

output "sender_ranges_parameter_name" {
  description = "SSM parameter holding Pipedrive's webhook source ranges: the watchdog writes it, the receiver reads it."
  value       = aws_ssm_parameter.sender_ranges.name
}

output "sender_ranges_parameter_arn" {
  description = "ARN of the sender ranges parameter (the watchdog's role may write it)."
  value       = aws_ssm_parameter.sender_ranges.arn
}
