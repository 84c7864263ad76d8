data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  name = "${var.name}-watchdog"
  # The interval between checks, for the alarms: rate(N minutes) or rate(N hours).
  interval_seconds = tonumber(regex("\\d+", var.schedule_expression)) * (strcontains(var.schedule_expression, "hour") ? 3600 : 60)
  tags             = merge({ "app" = "pipedrive-webhooks" }, var.tags)

  # The stack's registration, which the function reads whole (WEBHOOK_REGISTRATION).
  registration = jsondecode(var.registration_json)

  # The two secret parameters it reads (and decrypts, under a customer-managed key).
  parameter_arns = [
    for p in [local.registration.token_parameter, local.registration.auth_parameter] :
    "arn:${data.aws_partition.current.partition}:ssm:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:parameter${p}"
  ]
  # The parameter it keeps Pipedrive's sender ranges in, when the stack checks senders.
  sender_ranges_arn = var.sender_ranges == null ? null : "arn:${data.aws_partition.current.partition}:ssm:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:parameter${var.sender_ranges.parameter_name}"

  pause_parameter_name = "/${var.name}/watchdog-pause"
  pause_parameter_arn  = "arn:${data.aws_partition.current.partition}:ssm:${data.aws_region.current.region}:${data.aws_caller_identity.current.account_id}:parameter${local.pause_parameter_name}"
}

# The operators' pause, which needs no apply (README, Operations): an RFC 3339 time
# to pause the checks until (at most 24 hours after it is written), or off. Terraform
# writes "off" once and then leaves the value to people. It is also the destroy's
# stop signal: the function reads it, so it is destroyed after the function and
# with the rest of this module, before the registration's destroy deletes the
# webhook; a check still running then finds it gone and registers nothing.
# Not a secret, so a String: it holds a time. Its description names the registered
# URL: that reference makes it depend on the registration (whose registration_json
# output depends on its resources), hence destroyed before it.
resource "aws_ssm_parameter" "pause" {
  name        = local.pause_parameter_name
  description = "Pauses the watchdog of the Pipedrive webhooks to ${local.registration.url} until this RFC 3339 time (at most 24 hours after it is written), or off."
  type        = "String"
  value       = "off"
  tags        = local.tags

  lifecycle {
    ignore_changes = [value]
  }
}

################################################################################
# The function, its log group and its role: its own logs, and the parameters
################################################################################

module "function" {
  source = "../go-lambda"

  name             = local.name
  description      = "Checks that the Pipedrive webhook of ${var.name} exists and delivers, and registers it again when it is gone."
  role_description = "Runs the Pipedrive webhook watchdog of ${var.name}."
  policy_name      = "watchdog"
  policy_statements = concat(
    [{ sid = "ReadTheTokenTheWebhookCredentialsAndThePause", actions = ["ssm:GetParameter"], resources = concat(local.parameter_arns, [local.pause_parameter_arn]) }],
    local.sender_ranges_arn == null ? [] : [{ sid = "KeepTheSenderRanges", actions = ["ssm:GetParameter", "ssm:PutParameter"], resources = [local.sender_ranges_arn] }],
  )
  # Decrypt through SSM only, each key for its own parameters: the stack's key for
  # both, and the token's own key (production reads the seed's parameter, which may
  # predate the stack) for the token alone.
  ssm_decrypt = concat(
    var.kms_key_arn == null ? [] : [{ sid = "DecryptTheParametersThroughSSMOnly", key_arn = var.kms_key_arn, parameter_arns = local.parameter_arns }],
    var.token_kms_key_arn == null ? [] : [{ sid = "DecryptTheTokenThroughSSMOnly", key_arn = var.token_kms_key_arn, parameter_arns = [local.parameter_arns[0]] }],
  )

  lambda_zip_path = var.lambda_zip_path
  memory_size     = 128
  timeout         = var.timeout
  environment_variables = merge({
    WEBHOOK_REGISTRATION    = var.registration_json
    WEBHOOK_PAUSE_PARAMETER = aws_ssm_parameter.pause.name
    LOG_LEVEL               = var.log_level
    }, var.sender_ranges == null ? {} : {
    SENDER_RANGES_PARAMETER = var.sender_ranges.parameter_name
    SENDER_RANGES_URL       = var.sender_ranges.url
  })
  log_level                = var.log_level
  log_retention_in_days    = var.log_retention_in_days
  kms_key_arn              = var.kms_key_arn
  permissions_boundary_arn = var.permissions_boundary_arn
  tags                     = local.tags
}

# Before the function had a module of its own.
moved {
  from = aws_cloudwatch_log_group.this
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

# A check that fails is not retried: the next one comes with the schedule, and two
# at once could only race.
resource "aws_lambda_function_event_invoke_config" "this" {
  function_name                = module.function.function_name
  maximum_retry_attempts       = 0
  maximum_event_age_in_seconds = 600
}

################################################################################
# The schedule, and the role it invokes the function with
################################################################################

data "aws_iam_policy_document" "scheduler_assume" {
  statement {
    sid     = "SchedulerAssumesTheRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["scheduler.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "scheduler" {
  name                 = "${local.name}-schedule"
  description          = "Lets EventBridge Scheduler invoke the watchdog of ${var.name}."
  assume_role_policy   = data.aws_iam_policy_document.scheduler_assume.json
  permissions_boundary = var.permissions_boundary_arn
  tags                 = local.tags
}

data "aws_iam_policy_document" "scheduler" {
  statement {
    sid       = "InvokeTheWatchdog"
    actions   = ["lambda:InvokeFunction"]
    resources = [module.function.function_arn]
  }
}

resource "aws_iam_role_policy" "scheduler" {
  name   = "invoke-watchdog"
  role   = aws_iam_role.scheduler.id
  policy = data.aws_iam_policy_document.scheduler.json
}

resource "aws_scheduler_schedule" "this" {
  name                = local.name
  description         = "Checks the Pipedrive webhook of ${var.name}."
  schedule_expression = var.schedule_expression
  state               = "ENABLED"

  flexible_time_window {
    mode = "OFF"
  }

  target {
    arn      = module.function.function_arn
    role_arn = aws_iam_role.scheduler.arn
    input    = jsonencode({ source = "schedule" })

    retry_policy {
      maximum_retry_attempts = 0
    }
  }

  depends_on = [aws_iam_role_policy.scheduler]
}
