locals {
  name = var.name_suffix == "" ? "pipedrive-webhooks-sandbox" : "pipedrive-webhooks-sandbox-${var.name_suffix}"
  # A sandbox keeps its own token parameter unless told to use an existing one.
  api_token_parameter_name = coalesce(var.api_token_parameter_name, "/${local.name}/api-token")
}

module "receiver" {
  source = "../../modules/webhook-receiver"

  name                  = local.name
  lambda_zip_path       = coalesce(var.lambda_zip_path, "${path.root}/../../../dist/receiver.zip")
  log_retention_in_days = var.log_retention_in_days
  webhook_auth_version  = var.webhook_auth_version
  sender_check          = var.sender_check

  # Optional here (production masks by default); a sandbox's log group stays
  # deletable by a plain destroy.
  mask_personal_data           = var.mask_personal_data
  masking_findings_destination = var.masking_findings_destination
}

################################################################################
# The Pipedrive API token: read by the registration (never by the function), so
# it lives here, next to what reads it
################################################################################

resource "aws_ssm_parameter" "api_token" {
  count = var.manage_api_token_parameter ? 1 : 0

  name        = local.api_token_parameter_name
  description = "Pipedrive API token, read by the webhook registration tool."
  type        = "SecureString"
  # Write-only: the value never reaches state or plan, and is written only on
  # create and when its version changes, so the token is needed only then. The
  # provider wants some value on every plan: without TF_VAR_pipedrive_api_token it
  # gets "", which an unchanged version never writes, and which SSM refuses (so
  # nothing wrong is stored) on a create or a version bump without the token.
  value_wo         = var.pipedrive_api_token != null ? var.pipedrive_api_token : ""
  value_wo_version = var.pipedrive_api_token_version
}

check "api_token_given_when_needed" {
  assert {
    condition     = !var.manage_api_token_parameter || var.pipedrive_api_token != null
    error_message = "TF_VAR_pipedrive_api_token is not set: fine while the token parameter exists and pipedrive_api_token_version is unchanged; the first apply, and one that bumps the version, need it."
  }
}

# Named from the resource when the stack manages it: the registration is then
# created after the parameter and, on destroy, deletes the webhook before it goes.
locals {
  token_parameter_name = var.manage_api_token_parameter ? aws_ssm_parameter.api_token[0].name : local.api_token_parameter_name
}

module "registration" {
  source = "../../modules/webhook-registration"

  enabled              = var.register_webhook
  name                 = local.name
  webhook_url          = module.receiver.webhook_url
  event_object         = var.event_object
  auth_parameter_name  = module.receiver.webhook_auth_parameter_name
  auth_version         = module.receiver.webhook_auth_version
  token_parameter_name = local.token_parameter_name
  aws_region           = module.receiver.region
  pipedrive_api_url    = var.pipedrive_api_url
  tool_command         = var.registration_tool_command
}

################################################################################
# Keeping the webhook alive, and telling a person when it is not
################################################################################

# Watches what the registration registered, and is therefore created after it and
# destroyed before it: a destroy never has a watchdog registering the webhook again.
module "watchdog" {
  source = "../../modules/webhook-watchdog"
  count  = var.watchdog_enabled && var.register_webhook ? 1 : 0

  name                  = local.name
  lambda_zip_path       = coalesce(var.watchdog_zip_path, "${path.root}/../../../dist/watchdog.zip")
  registration          = module.registration.registration
  schedule_expression   = var.watchdog_schedule
  log_retention_in_days = var.log_retention_in_days
  sender_ranges         = { parameter_name = module.receiver.sender_ranges_parameter_name, url = var.sender_ranges_url }
}

module "monitoring" {
  source = "../../modules/webhook-monitoring"

  name            = local.name
  receiver        = module.receiver.monitoring
  watchdog        = one(module.watchdog[*].monitoring)
  alarm_topic_arn = var.alarm_topic_arn
  alarm_emails    = var.alarm_emails
}

# The alarms and saved queries moved from the receiver module to the monitoring one.
moved {
  from = module.receiver.aws_cloudwatch_metric_alarm.this
  to   = module.monitoring.aws_cloudwatch_metric_alarm.this
}

moved {
  from = module.receiver.aws_cloudwatch_query_definition.this
  to   = module.monitoring.aws_cloudwatch_query_definition.this
}
