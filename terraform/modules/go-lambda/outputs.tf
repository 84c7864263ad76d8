output "function_name" {
  description = "Name of the function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the function."
  value       = aws_lambda_function.this.arn
}

output "invoke_arn" {
  description = "ARN API Gateway invokes the function with."
  value       = aws_lambda_function.this.invoke_arn
}

output "function" {
  description = "The function's settings as planned (runtime, architectures, handler, memory, timeout, zip and its hash, environment, logging), for the callers' tests."
  value = {
    runtime          = aws_lambda_function.this.runtime
    architectures    = aws_lambda_function.this.architectures
    handler          = aws_lambda_function.this.handler
    memory_size      = aws_lambda_function.this.memory_size
    timeout          = aws_lambda_function.this.timeout
    filename         = aws_lambda_function.this.filename
    source_code_hash = aws_lambda_function.this.source_code_hash
    environment      = aws_lambda_function.this.environment[0].variables
    logging_config   = aws_lambda_function.this.logging_config[0]
  }
}

output "role_name" {
  description = "Name of the function's IAM role."
  value       = aws_iam_role.this.name
}

output "role_arn" {
  description = "ARN of the function's IAM role."
  value       = aws_iam_role.this.arn
}

output "role_permissions_boundary" {
  description = "The permissions boundary of the function's role; null for none."
  value       = aws_iam_role.this.permissions_boundary
}

output "policy_statements" {
  description = "The statements of the role's inline policy, in order: its own logs, policy_statements, then ssm_decrypt."
  value       = data.aws_iam_policy_document.this.statement
}

output "assume_role_statements" {
  description = "The statements of the role's trust policy."
  value       = data.aws_iam_policy_document.assume.statement
}

output "log_group_name" {
  description = "The function's log group."
  value       = aws_cloudwatch_log_group.this.name
}

output "log_group_arn" {
  description = "ARN of the function's log group."
  value       = aws_cloudwatch_log_group.this.arn
}

output "log_group" {
  description = "The function's log group as planned: name, retention, KMS key and deletion protection."
  value = {
    name                        = aws_cloudwatch_log_group.this.name
    retention_in_days           = aws_cloudwatch_log_group.this.retention_in_days
    kms_key_id                  = aws_cloudwatch_log_group.this.kms_key_id
    deletion_protection_enabled = aws_cloudwatch_log_group.this.deletion_protection_enabled
  }
}
