# The sandbox root with a mocked AWS provider, on a token parameter that exists
# already (its own file: sandbox.tftest.hcl's state holds the stack's own token
# parameter, and a plan that gives it up while registering for the first time is
# no case to test).
# Registration runs a real local-exec on apply, so those runs only plan; the token
# is written by a local-exec too, whose tool is `true` here (or `false`, where it
# must not run).

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
  name_suffix         = "t1a2b3"
  pipedrive_api_token = "not-a-real-token"
  secret_tool_command = "true"
}

run "existing_token_parameter" {
  command = plan

  variables {
    manage_api_token_parameter = false
    api_token_parameter_name   = "/dissertation-editor/pipedrive/api-token"
    pipedrive_api_token        = null
  }

  assert {
    condition     = length(terraform_data.api_token) == 0 && length(terraform_data.api_token_parameter) == 0
    error_message = "An existing token parameter is not managed."
  }
  assert {
    condition     = module.stack.registration.registration.token_parameter == "/dissertation-editor/pipedrive/api-token"
    error_message = "The registration reads the existing parameter."
  }
}
