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
  target = module.function.aws_cloudwatch_log_group.this
  values = { arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/pdw-test-watchdog" }
}

override_resource {
  target = module.function.aws_lambda_function.this
  values = { arn = "arn:aws:lambda:us-east-1:123456789012:function:pdw-test-watchdog" }
}

variables {
  name            = "pdw-test"
  lambda_zip_path = "../../../dist/watchdog.zip"
  # As the registration module encodes it, with two subscriptions.
  registration_json = jsonencode({
    url           = "https://abc123.execute-api.us-east-1.amazonaws.com/webhooks/pipedrive"
    name          = "pdw-test"
    subscriptions = [{ event_object = "deal", event_action = "*", version = "2.0" }, { event_object = "person", event_action = "*", version = "2.0" }]
    user_id       = 0, auth_parameter = "/pdw-test/webhook-auth", auth_version = 1, token_parameter = "/pdw-test/api-token"
    region        = "us-east-1", api_url = null
  })
}

run "function" {
  command = apply

  assert {
    condition     = module.function.function_name == "pdw-test-watchdog" && module.function.function.runtime == "provided.al2023" && module.function.function.architectures == tolist(["arm64"])
    error_message = "The watchdog is a provided.al2023 arm64 function named <name>-watchdog."
  }
  assert {
    condition     = module.function.function.source_code_hash == filebase64sha256("../../../dist/watchdog.zip")
    error_message = "A new zip must redeploy the watchdog."
  }
  assert {
    condition = module.function.function.environment == tomap({
      WEBHOOK_REGISTRATION    = var.registration_json
      WEBHOOK_PAUSE_PARAMETER = "/pdw-test/watchdog-pause"
      LOG_LEVEL               = "INFO"
    })
    error_message = "The watchdog must watch exactly what the registration registered, every subscription, and be given parameter names, never values."
  }
  assert {
    condition     = module.function.function.logging_config.log_format == "JSON" && module.function.function.logging_config.log_group == "/aws/lambda/pdw-test-watchdog"
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
    condition     = aws_scheduler_schedule.this.target[0].arn == module.function.function_arn && aws_scheduler_schedule.this.target[0].role_arn == aws_iam_role.scheduler.arn
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
    condition     = toset(module.function.policy_statements[1].actions) == toset(["ssm:GetParameter"])
    error_message = "The watchdog only reads parameters."
  }
  assert {
    condition = toset(module.function.policy_statements[1].resources) == toset([
      "arn:aws:ssm:us-east-1:123456789012:parameter/pdw-test/api-token",
      "arn:aws:ssm:us-east-1:123456789012:parameter/pdw-test/webhook-auth",
      "arn:aws:ssm:us-east-1:123456789012:parameter/pdw-test/watchdog-pause",
    ])
    error_message = "The watchdog reads the API token, the webhook's credentials and its pause, each by its exact ARN, and nothing else."
  }
  assert {
    condition     = aws_ssm_parameter.pause.name == "/pdw-test/watchdog-pause" && aws_ssm_parameter.pause.type == "String" && aws_ssm_parameter.pause.value == "off"
    error_message = "The pause parameter starts off, and is named after the stack."
  }
  assert {
    condition     = length(module.function.policy_statements) == 2
    error_message = "Without a customer-managed key there is no KMS statement."
  }
  assert {
    condition     = toset(one(module.function.assume_role_statements[0].principals).identifiers) == toset(["lambda.amazonaws.com"])
    error_message = "Only Lambda assumes the function's role."
  }
}

run "kms_only_through_ssm" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition     = toset(module.function.policy_statements[2].actions) == toset(["kms:Decrypt"]) && contains([for c in module.function.policy_statements[2].condition : c.variable], "kms:ViaService")
    error_message = "The key decrypts only through SSM."
  }
}

# A token parameter made outside the stack (production reads the seed's) may be
# encrypted with a key of its own: without kms:Decrypt on it the watchdog can read
# nothing (before issue 21 only kms_key_arn, the stack's own key, was granted).
run "decrypts_a_token_with_its_own_key" {
  command = plan

  variables {
    token_kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }

  assert {
    condition     = length(module.function.policy_statements) == 3 && toset(module.function.policy_statements[2].actions) == toset(["kms:Decrypt"]) && toset(module.function.policy_statements[2].resources) == toset(["arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"])
    error_message = "The watchdog may decrypt with the token's key, and with no other."
  }
  assert {
    condition = alltrue([
      for c in module.function.policy_statements[2].condition :
      c.variable != "kms:EncryptionContext:PARAMETER_ARN" || toset(c.values) == toset(["arn:aws:ssm:us-east-1:123456789012:parameter/pdw-test/api-token"])
    ]) && contains([for c in module.function.policy_statements[2].condition : c.variable], "kms:ViaService")
    error_message = "The token's key decrypts through SSM, for the token's parameter alone."
  }
}

run "rejects_a_token_key_alias" {
  command = plan

  variables {
    token_kms_key_arn = "alias/pipedrive"
  }

  expect_failures = [var.token_kms_key_arn]
}

run "rejects_a_bad_schedule" {
  command = plan

  variables {
    schedule_expression = "every 15 minutes"
  }

  expect_failures = [var.schedule_expression]
}

# go-lambda's plan_needs_the_zip proves that a missing zip stops the plan (its
# precondition, which a test can expect only in the module that holds it); here,
# that the zip it checks is the one this module is given.
run "plan_needs_the_zip" {
  command = plan

  variables {
    lambda_zip_path = "../../../dist/watchdog.zip"
  }

  assert {
    condition     = module.function.function.filename == "../../../dist/watchdog.zip"
    error_message = "The function is deployed from (and its plan checks) the zip this module is given."
  }
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

# The sandbox's e2e role creates roles only with its permissions boundary
# (terraform/bootstrap); every role here takes it (none could before issue 21).
run "roles_carry_the_permissions_boundary" {
  command = plan

  variables {
    permissions_boundary_arn = "arn:aws:iam::123456789012:policy/github-e2e-pipedrive-webhooks-sandbox-boundary"
  }

  assert {
    condition     = module.function.role_permissions_boundary == "arn:aws:iam::123456789012:policy/github-e2e-pipedrive-webhooks-sandbox-boundary" && aws_iam_role.scheduler.permissions_boundary == "arn:aws:iam::123456789012:policy/github-e2e-pipedrive-webhooks-sandbox-boundary"
    error_message = "Every role the module creates must carry the permissions boundary it is given."
  }
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
    condition     = length(aws_iam_role.scheduler.name) == 64 && length(aws_scheduler_schedule.this.name) <= 64 && length(module.function.function_name) <= 64
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

run "keeps_the_sender_ranges" {
  command = plan

  variables {
    sender_ranges = { parameter_name = "/pdw-test/sender-ranges" }
  }

  assert {
    condition     = module.function.function.environment["SENDER_RANGES_PARAMETER"] == "/pdw-test/sender-ranges" && module.function.function.environment["SENDER_RANGES_URL"] == ""
    error_message = "The watchdog must be told where the ranges live; no URL means Pipedrive's published file."
  }
  assert {
    condition     = toset(module.function.policy_statements[2].actions) == toset(["ssm:GetParameter", "ssm:PutParameter"]) && toset(module.function.policy_statements[2].resources) == toset(["arn:aws:ssm:us-east-1:123456789012:parameter/pdw-test/sender-ranges"])
    error_message = "The watchdog may read and write the ranges parameter, and no other."
  }
}

run "without_sender_ranges_no_write" {
  command = plan

  assert {
    condition     = !contains(keys(module.function.function.environment), "SENDER_RANGES_PARAMETER") && alltrue([for s in module.function.policy_statements : !contains(s.actions, "ssm:PutParameter")])
    error_message = "Without sender ranges the watchdog may write no parameter."
  }
}

run "rejects_a_plain_http_ranges_url" {
  command = plan

  variables {
    sender_ranges = { parameter_name = "/pdw-test/sender-ranges", url = "http://example.com/ranges.json" }
  }

  expect_failures = [var.sender_ranges]
}
