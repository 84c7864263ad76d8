provider "aws" {
  region = var.region
}

# The receiver's and the watchdog's metrics, alarms and dashboard, for functions
# deployed elsewhere (in a stack, pass their monitoring outputs: see webhook-stack).
module "monitoring" {
  source = "../.."

  name = "pipedrive-webhooks-example"
  receiver = {
    function_name         = "pipedrive-webhooks-example"
    function_timeout      = 5
    log_group_name        = "/aws/lambda/pipedrive-webhooks-example"
    access_log_group_name = "/aws/vendedlogs/apigateway/pipedrive-webhooks-example"
    api_id                = "abc123"
    stage_name            = "$default"
  }
  watchdog = {
    function_name  = "pipedrive-webhooks-example-watchdog"
    log_group_name = "/aws/lambda/pipedrive-webhooks-example-watchdog"
  }
  alarm_emails = var.alarm_emails
}
