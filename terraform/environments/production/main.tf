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
  alarm_actions         = var.alarm_actions
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
