# The stack with a mocked AWS provider: how its parts are wired. The roots' tests
# check each root's own values. Registration runs a real local-exec on apply, so
# these runs only plan.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_region" {
    defaults = { region = "us-east-1", name = "us-east-1" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }

  # Fixtures: mock_provider fills computed attributes with random strings, and the
  # provider validates every ARN it is given (as the real one does in a test), so each
  # resource type whose ARN flows into another resource gets a well-formed one here.
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/fixture-role" }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = { arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fixture" }
  }
  mock_resource "aws_lambda_function" {
    defaults = {
      arn        = "arn:aws:lambda:us-east-1:123456789012:function:fixture"
      invoke_arn = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:fixture/invocations"
    }
  }
  mock_resource "aws_ssm_parameter" {
    defaults = { arn = "arn:aws:ssm:us-east-1:123456789012:parameter/fixture" }
  }
  mock_resource "aws_sns_topic" {
    defaults = { arn = "arn:aws:sns:us-east-1:123456789012:fixture" }
  }
  mock_resource "aws_apigatewayv2_api" {
    defaults = {
      id            = "abc123"
      api_endpoint  = "https://abc123.execute-api.us-east-1.amazonaws.com"
      execution_arn = "arn:aws:execute-api:us-east-1:123456789012:abc123"
    }
  }
  mock_resource "aws_cloudwatch_metric_alarm" {
    defaults = { arn = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:fixture" }
  }
  mock_resource "aws_scheduler_schedule" {
    defaults = { arn = "arn:aws:scheduler:us-east-1:123456789012:schedule/default/fixture" }
  }
}

variables {
  name                      = "pdw-stack"
  lambda_zip_path           = "../../../dist/receiver.zip"
  watchdog_zip_path         = "../../../dist/watchdog.zip"
  token_parameter_name      = "/team/pipedrive/api-token"
  registration_tool_command = "../../../scripts/pipedrive-webhook/run"
  secret_tool_command       = "../../../scripts/ssm-secret/run"
}

run "wiring" {
  command = plan

  assert {
    condition     = module.receiver.function_name == "pdw-stack" && output.function_name == "pdw-stack" && output.log_retention_in_days == 30
    error_message = "The stack's parts are named after it."
  }
  assert {
    condition     = module.registration.registration.token_parameter == "/team/pipedrive/api-token" && output.api_token_parameter_name == "/team/pipedrive/api-token"
    error_message = "The registration reads the token parameter the root names, and writes none."
  }
  assert {
    condition     = module.registration.registration.auth_parameter == module.receiver.webhook_auth_parameter_name && module.registration.registration.command == "../../../scripts/pipedrive-webhook/run"
    error_message = "The registration sends the receiver's credentials, with the tool the root gives."
  }
  assert {
    condition     = length(module.watchdog) == 1 && module.watchdog[0].sender_ranges_parameter_name == module.receiver.sender_ranges_parameter_name && output.watchdog_function_name == "pdw-stack-watchdog"
    error_message = "The watchdog watches the registration and keeps the receiver's sender ranges."
  }
  assert {
    condition     = module.monitoring.dashboard_name == "pdw-stack" && contains(module.monitoring.alarm_names, "pdw-stack-watchdog-reregistered")
    error_message = "The monitoring covers the receiver and the watchdog."
  }
}

run "no_registration_no_watchdog" {
  command = plan

  variables {
    register_webhook = false
  }

  assert {
    condition     = !output.webhook_registered && module.registration.registration == null && length(module.watchdog) == 0 && output.watchdog_function_name == null
    error_message = "Without a registration there is nothing to watch."
  }
}

run "watchdog_off" {
  command = plan

  variables {
    watchdog_enabled = false
  }

  assert {
    condition     = output.webhook_registered && length(module.watchdog) == 0 && !contains(module.monitoring.alarm_names, "pdw-stack-watchdog-reregistered")
    error_message = "watchdog_enabled = false registers the webhook and runs no watchdog, nor its alarms."
  }
}

run "rejects_a_name_too_long_for_the_watchdogs_role" {
  command = plan

  variables {
    name = "n2345678901234567890123456789012345678901234567"
  }

  expect_failures = [var.name]
}
