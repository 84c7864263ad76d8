# The live system the seed describes: every deal event from the company's Pipedrive,
# v2 with basic auth, logged for audit in us-east-1. It takes over from the
# hand-registered v1 webhook 1345147 (the Serverless endpoint): the new webhook is
# registered first, and the old one retired only once it exists.

module "receiver" {
  source = "../../modules/webhook-receiver"

  name                  = var.name
  lambda_zip_path       = coalesce(var.lambda_zip_path, "${path.root}/../../../dist/receiver.zip")
  log_retention_in_days = var.log_retention_in_days
  webhook_auth_version  = var.webhook_auth_version
  sender_check          = var.sender_check

  # The audit log: CloudWatch Logs refuses to delete it until a person turns the
  # protection off (README, Operations: retention and deletion), and the personal
  # data in it is masked for everyone without logs:Unmask.
  log_deletion_protection      = var.log_deletion_protection
  mask_personal_data           = var.mask_personal_data
  masking_findings_destination = var.masking_findings_destination
}

module "registration" {
  source = "../../modules/webhook-registration"

  name                = var.name
  webhook_url         = module.receiver.webhook_url
  event_object        = "deal"
  event_action        = "*"
  auth_parameter_name = module.receiver.webhook_auth_parameter_name
  auth_version        = module.receiver.webhook_auth_version
  # The token parameter exists already (the seed created it): read by the tool,
  # never created or overwritten here.
  token_parameter_name = var.api_token_parameter_name
  aws_region           = module.receiver.region
  retire_webhook_ids   = var.retire_webhook_ids
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
  count  = var.watchdog_enabled ? 1 : 0

  name                  = var.name
  lambda_zip_path       = coalesce(var.watchdog_zip_path, "${path.root}/../../../dist/watchdog.zip")
  registration          = module.registration.registration
  schedule_expression   = var.watchdog_schedule
  log_retention_in_days = var.log_retention_in_days
  # The seed's token parameter: decryptable with aws/ssm by any role allowed
  # ssm:GetParameter, with a key of its own only when granted here.
  token_kms_key_arn = var.api_token_kms_key_arn
  sender_ranges     = { parameter_name = module.receiver.sender_ranges_parameter_name, url = var.sender_ranges_url }
  # Reconciliation reads and writes the receiver's log group (the audit log).
  reconciliation = var.reconciliation.enabled ? {
    log_group_name  = module.receiver.log_group_name
    budget_share    = var.reconciliation.budget_share
    plan_multiplier = var.reconciliation.plan_multiplier
    seats           = var.reconciliation.seats
  } : null
  timeout = var.reconciliation.enabled ? var.reconciliation.timeout : 60
}

module "monitoring" {
  source = "../../modules/webhook-monitoring"

  name            = var.name
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

check "alarms_reach_a_person" {
  assert {
    condition     = length(var.alarm_emails) > 0 || var.alarm_topic_arn != null
    error_message = "No alarm_emails and no alarm_topic_arn: production's alarms go to a topic nobody reads. Set one of them."
  }
}
