# The live system the seed describes: every deal event from the company's Pipedrive,
# v2 with basic auth, logged for audit in us-east-1. It takes over from the
# hand-registered v1 webhook 1345147 (the Serverless endpoint): the new webhook is
# registered first, and the old one retired only once it exists.

module "stack" {
  source = "../../modules/webhook-stack"

  name                  = var.name
  lambda_zip_path       = coalesce(var.lambda_zip_path, "${path.root}/../../../dist/receiver.zip")
  watchdog_zip_path     = coalesce(var.watchdog_zip_path, "${path.root}/../../../dist/watchdog.zip")
  log_retention_in_days = var.log_retention_in_days
  webhook_auth_version  = var.webhook_auth_version
  sender_check          = var.sender_check
  sender_ranges_url     = var.sender_ranges_url

  # The audit log: CloudWatch Logs refuses to delete it until a person turns the
  # protection off (README, Operations: retention and deletion), and the personal
  # data in it is masked for everyone without logs:Unmask.
  log_deletion_protection      = var.log_deletion_protection
  mask_personal_data           = var.mask_personal_data
  masking_findings_destination = var.masking_findings_destination

  subscriptions   = var.subscriptions
  webhook_user_id = var.webhook_user_id
  # The token parameter exists already (the seed created it): read by the tool and
  # the watchdog, never created or overwritten here. Decryptable with aws/ssm by any
  # role allowed ssm:GetParameter, with a key of its own only when granted here.
  token_parameter_name      = var.api_token_parameter_name
  token_kms_key_arn         = var.api_token_kms_key_arn
  retire_webhook_ids        = var.retire_webhook_ids
  pipedrive_api_url         = var.pipedrive_api_url
  registration_tool_command = coalesce(var.registration_tool_command, "${path.root}/../../../scripts/pipedrive-webhook/run")

  watchdog_enabled  = var.watchdog_enabled
  watchdog_schedule = var.watchdog_schedule
  alarm_topic_arn   = var.alarm_topic_arn
  alarm_emails      = var.alarm_emails
}

check "alarms_reach_a_person" {
  assert {
    condition     = length(var.alarm_emails) > 0 || var.alarm_topic_arn != null
    error_message = "No alarm_emails and no alarm_topic_arn: production's alarms go to a topic nobody reads. Set one of them."
  }
}
