provider "aws" {
  region = var.region
}

# A whole stack on an existing token parameter, as the roots call it.
module "stack" {
  source = "../.."

  name                      = "pipedrive-webhooks-example"
  lambda_zip_path           = "${path.root}/../../../../../dist/receiver.zip" # make build
  watchdog_zip_path         = "${path.root}/../../../../../dist/watchdog.zip"
  registration_tool_command = "${path.root}/../../../../../scripts/pipedrive-webhook/run"
  token_parameter_name      = var.token_parameter_name
  log_retention_in_days     = 90
  alarm_emails              = ["oncall@example.com"]
}
