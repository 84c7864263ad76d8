# Plan-and-apply tests with a mocked AWS provider: they run offline, and unchanged
# against the real provider. Run from the module: tofu test (or terraform test).

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_region" {
    defaults = { region = "us-east-1", name = "us-east-1" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
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

override_resource {
  target = aws_cloudwatch_log_group.this
  values = { arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/pdw-test-watchdog" }
}

override_resource {
  target = aws_lambda_function.this
  values = { arn = "arn:aws:lambda:us-east-1:123456789012:function:pdw-test-watchdog" }
}

variables {
  name            = "pdw-test"
  lambda_zip_path = "../../../dist/watchdog.zip"
  registration = {
    url             = "https://abc123.execute-api.us-east-1.amazonaws.com/webhooks/pipedrive"
    event_action    = "*"
    event_object    = "deal"
    version         = "2.0"
    name            = "pdw-test"
    auth_parameter  = "/pdw-test/webhook-auth"
    token_parameter = "/pdw-test/api-token"
    api_url         = "https://api.pipedrive.com/v1"
  }
}

run "function" {
  command = apply

  assert {
    condition     = aws_lambda_function.this.function_name == "pdw-test-watchdog" && aws_lambda_function.this.runtime == "provided.al2023" && aws_lambda_function.this.architectures == tolist(["arm64"])
    error_message = "The watchdog is a provided.al2023 arm64 function named <name>-watchdog."
  }
  assert {
    condition     = aws_lambda_function.this.source_code_hash == filebase64sha256("../../../dist/watchdog.zip")
    error_message = "A new zip must redeploy the watchdog."
  }
  assert {
    condition = aws_lambda_function.this.environment[0].variables == tomap({
      WEBHOOK_URL                   = "https://abc123.execute-api.us-east-1.amazonaws.com/webhooks/pipedrive"
      WEBHOOK_EVENT_ACTION          = "*"
      WEBHOOK_EVENT_OBJECT          = "deal"
      WEBHOOK_VERSION               = "2.0"
      WEBHOOK_NAME                  = "pdw-test"
      WEBHOOK_AUTH_PARAMETER        = "/pdw-test/webhook-auth"
      PIPEDRIVE_API_TOKEN_PARAMETER = "/pdw-test/api-token"
      PIPEDRIVE_API_URL             = "https://api.pipedrive.com/v1"
      LOG_LEVEL                     = "INFO"
    })
    error_message = "The watchdog must watch exactly what the registration registered, and be given parameter names, never values."
  }
  assert {
    condition     = aws_lambda_function.this.logging_config[0].log_format == "JSON" && aws_lambda_function.this.logging_config[0].log_group == "/aws/lambda/pdw-test-watchdog"
    error_message = "The watchdog logs JSON to its own log group, which the metric filters read."
  }
  assert {
    condition     = aws_lambda_function_event_invoke_config.this.maximum_retry_attempts == 0
    error_message = "A failed check is not retried: the schedule brings the next one."
  }
}

run "schedule" {
  command = apply

  assert {
    condition     = aws_scheduler_schedule.this.schedule_expression == "rate(15 minutes)" && aws_scheduler_schedule.this.state == "ENABLED" && output.monitoring.interval_seconds == 900
    error_message = "The watchdog runs every 15 minutes by default."
  }
  assert {
    condition     = aws_scheduler_schedule.this.flexible_time_window[0].mode == "OFF" && aws_scheduler_schedule.this.target[0].retry_policy[0].maximum_retry_attempts == 0
    error_message = "Checks run on time and are not retried."
  }
  assert {
    condition     = aws_scheduler_schedule.this.target[0].arn == aws_lambda_function.this.arn && aws_scheduler_schedule.this.target[0].role_arn == aws_iam_role.scheduler.arn
    error_message = "The schedule invokes the watchdog with its own role."
  }
  assert {
    condition     = toset(data.aws_iam_policy_document.scheduler.statement[0].actions) == toset(["lambda:InvokeFunction"]) && toset(data.aws_iam_policy_document.scheduler.statement[0].resources) == toset(["arn:aws:lambda:us-east-1:123456789012:function:pdw-test-watchdog"])
    error_message = "The schedule's role may invoke the watchdog and nothing else."
  }
  assert {
    condition     = toset(one(data.aws_iam_policy_document.scheduler_assume.statement[0].principals).identifiers) == toset(["scheduler.amazonaws.com"])
    error_message = "Only EventBridge Scheduler assumes the schedule's role."
  }
}

run "least_privilege" {
  command = plan

  assert {
    condition     = toset(data.aws_iam_policy_document.function.statement[1].actions) == toset(["ssm:GetParameter"])
    error_message = "The watchdog only reads parameters."
  }
  assert {
    condition = toset(data.aws_iam_policy_document.function.statement[1].resources) == toset([
      "arn:aws:ssm:us-east-1:123456789012:parameter/pdw-test/api-token",
      "arn:aws:ssm:us-east-1:123456789012:parameter/pdw-test/webhook-auth",
    ])
    error_message = "The watchdog reads the API token and the webhook's credentials, each by its exact ARN, and nothing else."
  }
  assert {
    condition     = length(data.aws_iam_policy_document.function.statement) == 2
    error_message = "Without a customer-managed key there is no KMS statement."
  }
  assert {
    condition     = toset(one(data.aws_iam_policy_document.assume.statement[0].principals).identifiers) == toset(["lambda.amazonaws.com"])
    error_message = "Only Lambda assumes the function's role."
  }
}

run "kms_only_through_ssm" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition     = toset(data.aws_iam_policy_document.function.statement[2].actions) == toset(["kms:Decrypt"]) && contains([for c in data.aws_iam_policy_document.function.statement[2].condition : c.variable], "kms:ViaService")
    error_message = "The key decrypts only through SSM."
  }
}

run "rejects_a_bad_schedule" {
  command = plan

  variables {
    schedule_expression = "every 15 minutes"
  }

  expect_failures = [var.schedule_expression]
}

run "plan_needs_the_zip" {
  command = plan

  variables {
    lambda_zip_path = "does-not-exist.zip"
  }

  expect_failures = [aws_lambda_function.this]
}

run "an_hourly_schedule" {
  command = plan

  variables {
    schedule_expression = "rate(1 hour)"
  }

  assert {
    condition     = output.monitoring.interval_seconds == 3600
    error_message = "The interval follows the schedule."
  }
}

run "rejects_a_schedule_too_frequent" {
  command = plan

  variables {
    schedule_expression = "rate(1 minute)"
  }

  expect_failures = [var.schedule_expression]
}

run "rejects_a_schedule_too_rare" {
  command = plan

  variables {
    schedule_expression = "rate(7 hours)"
  }

  expect_failures = [var.schedule_expression]
}

run "rejects_a_cron_schedule" {
  command = plan

  variables {
    schedule_expression = "cron(0/15 * * * ? *)"
  }

  expect_failures = [var.schedule_expression]
}

run "rejects_a_rate_aws_would_refuse" {
  command = plan

  variables {
    schedule_expression = "rate(1 hours)"
  }

  expect_failures = [var.schedule_expression]
}

# Names: the longest name the module accepts builds every name within AWS's limits
# (the provider validates them during plan: the role <name>-watchdog-schedule is the
# tightest, at IAM's 64 characters), and one character more is refused first.
run "longest_name_fits_every_aws_limit" {
  command = plan

  variables {
    name = "n234567890123456789012345678901234567890123456"
  }

  assert {
    condition     = length(aws_iam_role.scheduler.name) == 64 && length(aws_scheduler_schedule.this.name) <= 64 && length(aws_lambda_function.this.function_name) <= 64
    error_message = "The longest name must build a schedule role name of exactly IAM's 64 characters."
  }
}

run "one_character_more_is_refused" {
  command = plan

  variables {
    name = "n2345678901234567890123456789012345678901234567"
  }

  expect_failures = [var.name]
}
