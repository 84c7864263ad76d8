# The live system the seed describes: every deal event from the company's Pipedrive,
# v2 with basic auth, logged for audit in us-east-1. It takes over from the
# hand-registered v1 webhook 1345147 (the Serverless endpoint): the new webhook is
# registered first, and the old one retired only once it exists.
#
# What describes the environment is written here, and changed by a reviewed
# commit; the variables are what an operator gives at apply time (variables.tf).
# The tools and zips are this repository's, relative to the root, so that a
# destroy works from another clone sharing the state.

module "stack" {
  source = "../../modules/webhook-stack"

  name                      = "pipedrive-webhooks"
  lambda_zip_path           = "${path.root}/../../../dist/receiver.zip"
  watchdog_zip_path         = "${path.root}/../../../dist/watchdog.zip"
  secret_tool_command       = "${path.root}/../../../scripts/ssm-secret/run"
  registration_tool_command = "${path.root}/../../../scripts/pipedrive-webhook/run"

  # The audit log: a year and a quarter, for year-end reviews. CloudWatch Logs
  # refuses to delete it until a person turns the protection off (README,
  # Operations: retention and deletion), and the personal data in it is masked
  # for everyone without logs:Unmask.
  log_retention_in_days   = 400
  log_deletion_protection = var.log_deletion_protection
  mask_personal_data      = true

  # The seed's subscription, every deal event in v2 (README, Configuration, has
  # other lists), registered for the API token's user.
  webhook = {
    subscriptions = [{ event_object = "deal", event_action = "*", version = "2.0" }]
  }
  # Bump, commit and apply to rotate the basic-auth password (README, Operations).
  webhook_auth_version = 1
  retire_webhook_ids   = [1345147]
  # The token parameter exists already (the seed created it): read by the tool and
  # the watchdog, never created or overwritten here. Decryptable with aws/ssm by any
  # role allowed ssm:GetParameter, with a key of its own only when granted here.
  token_parameter_name = "/dissertation-editor/pipedrive/api-token"
  token_kms_key_arn    = var.api_token_kms_key_arn

  watchdog_enabled = var.watchdog_enabled
  alarm_topic_arn  = var.alarm_topic_arn
  alarm_emails     = var.alarm_emails
  # Reconciliation spends at most 5 % of the company's daily API token budget:
  # set plan_multiplier and seats to its Pipedrive plan and paid seats.
  reconciliation = { plan_multiplier = 1, seats = 1 }
}

check "alarms_reach_a_person" {
  assert {
    condition     = length(var.alarm_emails) > 0 || var.alarm_topic_arn != null
    error_message = "No alarm_emails and no alarm_topic_arn: production's alarms go to a topic nobody reads. Set one of them."
  }
}
