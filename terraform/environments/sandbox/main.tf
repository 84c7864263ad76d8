locals {
  name = var.name_suffix == "" ? "pipedrive-webhooks-sandbox" : "pipedrive-webhooks-sandbox-${var.name_suffix}"
}

module "receiver" {
  source = "../../modules/webhook-receiver"

  name                       = local.name
  lambda_zip_path            = coalesce(var.lambda_zip_path, abspath("${path.root}/../../../dist/receiver.zip"))
  log_retention_in_days      = var.log_retention_in_days
  api_token_parameter_name   = coalesce(var.api_token_parameter_name, "/${local.name}/api-token")
  manage_api_token_parameter = var.manage_api_token_parameter
  pipedrive_api_token        = var.pipedrive_api_token
  webhook_auth_version       = var.webhook_auth_version
  alarm_actions              = var.alarm_actions
}

module "registration" {
  source = "../../modules/pipedrive-webhook"

  enabled              = var.register_webhook
  name                 = local.name
  webhook_url          = module.receiver.webhook_url
  event_object         = var.event_object
  auth_parameter_name  = module.receiver.webhook_auth_parameter_name
  auth_version         = module.receiver.webhook_auth_version
  token_parameter_name = module.receiver.api_token_parameter_name
  pipedrive_api_url    = var.pipedrive_api_url
  tool_dir             = var.registration_tool_dir
}
