data "aws_region" "current" {}

locals {
  webhook_path                = "/webhooks/pipedrive"
  webhook_auth_parameter_name = coalesce(var.webhook_auth_parameter_name, "/${var.name}/webhook-auth")
  tags                        = merge({ "app" = "pipedrive-webhooks" }, var.tags)
}

################################################################################
# The API's access log (the function's own log group is module.function's)
################################################################################

# Under /aws/vendedlogs/: API Gateway then delivers access logs without adding the
# group to the account's CloudWatch Logs resource policy, which is limited to 5,120
# characters and never pruned (it would fill up after a few dozen stacks).
resource "aws_cloudwatch_log_group" "access" {
  name              = "/aws/vendedlogs/apigateway/${var.name}"
  retention_in_days = var.log_retention_in_days
  kms_key_id        = var.kms_key_arn
  tags              = local.tags
}

################################################################################
# Secrets: values go to SSM through write-only arguments, never to state or plan
################################################################################

resource "aws_ssm_parameter" "webhook_auth" {
  name             = local.webhook_auth_parameter_name
  description      = "Basic-auth credentials (user:password) Pipedrive sends with every webhook delivery."
  type             = "SecureString"
  key_id           = var.kms_key_arn
  value_wo         = "${var.webhook_auth_user}:${ephemeral.aws_secretsmanager_random_password.webhook_auth.random_password}"
  value_wo_version = var.webhook_auth_version
  tags             = local.tags
}

# Pipedrive's published webhook source ranges, which the watchdog refreshes (never
# Terraform: it creates the placeholder, an empty list, and leaves the value alone).
# Not a secret: the list is public.
resource "aws_ssm_parameter" "sender_ranges" {
  name        = "/${var.name}/sender-ranges"
  description = "Pipedrive's published webhook source ranges, as the watchdog last confirmed them; the receiver checks deliveries against them."
  type        = "String"
  value       = jsonencode({ prefixes = [] })
  tags        = local.tags

  lifecycle {
    ignore_changes = [value]
  }
}

################################################################################
# The function, its log group and its role
################################################################################

# The audit log is the function's log group (module.function). With
# log_deletion_protection, CloudWatch Logs itself refuses to delete it
# (DeleteLogGroup fails, for Terraform, the console and the CLI alike) until a
# person turns the protection off: set the variable to false and apply, and only
# then destroy. prevent_destroy cannot come from a variable; this can, and it
# guards against deletions outside Terraform too.
module "function" {
  source = "../go-lambda"

  name             = var.name
  description      = "Receives Pipedrive webhooks (v1 and v2) and logs one record per event."
  role_name        = "${var.name}-function"
  role_description = "Runs the Pipedrive webhook receiver ${var.name}."
  policy_name      = "receiver"
  policy_statements = [
    { sid = "ReadTheWebhookCredentials", actions = ["ssm:GetParameter"], resources = [aws_ssm_parameter.webhook_auth.arn] },
    { sid = "ReadTheSenderRanges", actions = ["ssm:GetParameter"], resources = [aws_ssm_parameter.sender_ranges.arn] },
  ]
  ssm_decrypt = var.kms_key_arn == null ? [] : [
    { sid = "DecryptTheCredentialsThroughSSMOnly", key_arn = var.kms_key_arn, parameter_arns = [aws_ssm_parameter.webhook_auth.arn] },
  ]

  lambda_zip_path                = var.lambda_zip_path
  memory_size                    = var.memory_size
  timeout                        = var.timeout
  reserved_concurrent_executions = var.reserved_concurrent_executions
  environment_variables = {
    WEBHOOK_AUTH_PARAMETER  = aws_ssm_parameter.webhook_auth.name
    WEBHOOK_AUTH_TTL        = var.webhook_auth_cache_ttl
    WEBHOOK_AUTH_GRACE      = var.webhook_auth_grace
    SENDER_CHECK            = var.sender_check
    SENDER_RANGES_PARAMETER = aws_ssm_parameter.sender_ranges.name
    LOG_LEVEL               = var.log_level
  }
  log_level                = var.log_level
  log_retention_in_days    = var.log_retention_in_days
  log_deletion_protection  = var.log_deletion_protection
  kms_key_arn              = var.kms_key_arn
  permissions_boundary_arn = var.permissions_boundary_arn
  # The masking is in place before the first event is logged: events ingested
  # earlier would stay unmasked.
  depends_on_ids = aws_cloudwatch_log_data_protection_policy.personal_data[*].id
  tags           = local.tags
}

# Before the function had a module of its own.
moved {
  from = aws_cloudwatch_log_group.function
  to   = module.function.aws_cloudwatch_log_group.this
}

moved {
  from = aws_iam_role.function
  to   = module.function.aws_iam_role.this
}

moved {
  from = aws_iam_role_policy.function
  to   = module.function.aws_iam_role_policy.this
}

moved {
  from = aws_lambda_function.this
  to   = module.function.aws_lambda_function.this
}

################################################################################
# API Gateway HTTP API: one route, Lambda proxy, payload format 2.0
################################################################################

resource "aws_apigatewayv2_api" "this" {
  name          = var.name
  description   = "Pipedrive webhooks into ${var.name}."
  protocol_type = "HTTP"
  tags          = local.tags
}

resource "aws_apigatewayv2_integration" "lambda" {
  api_id                 = aws_apigatewayv2_api.this.id
  integration_type       = "AWS_PROXY"
  integration_method     = "POST"
  integration_uri        = module.function.invoke_arn
  payload_format_version = "2.0"
  timeout_milliseconds   = (var.timeout + 1) * 1000
}

resource "aws_apigatewayv2_route" "webhook" {
  api_id    = aws_apigatewayv2_api.this.id
  route_key = "POST ${local.webhook_path}"
  target    = "integrations/${aws_apigatewayv2_integration.lambda.id}"
}

resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.this.id
  name        = "$default"
  auto_deploy = true

  default_route_settings {
    throttling_rate_limit  = var.throttling_rate_limit
    throttling_burst_limit = var.throttling_burst_limit
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.access.arn
    # One JSON line per request, from a file that the metric tests read too.
    format = jsonencode(jsondecode(file("${path.module}/access-log-format.json")))
  }

  tags = local.tags
}

resource "aws_lambda_permission" "api" {
  statement_id  = "AllowInvokeFromTheWebhookRoute"
  action        = "lambda:InvokeFunction"
  function_name = module.function.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${aws_apigatewayv2_api.this.execution_arn}/*/POST${local.webhook_path}"
}
