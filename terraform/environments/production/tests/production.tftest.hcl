# The production root with a mocked AWS provider: the seed's system, the takeover
# of webhook 1345147, and the token parameter read, never written.
# Registration runs a real local-exec on apply, so these runs only plan.

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
  alarm_emails = ["oncall@example.com"]
}

run "the_seeds_system" {
  command = plan

  assert {
    condition     = module.stack.registration.registration.region == "us-east-1" && jsonencode(module.stack.registration.registration.subscriptions) == jsonencode([{ event_object = "deal", event_action = "*", version = "2.0" }])
    error_message = "Production is every deal event, in us-east-1, as the seed's webhook."
  }
  assert {
    condition     = module.stack.registration.registration.subscriptions[0].version == "2.0" && module.stack.registration.registration.auth_parameter == "/pipedrive-webhooks/webhook-auth"
    error_message = "The new webhook is v2 with basic auth."
  }
  assert {
    condition     = output.stack.log_retention_in_days >= 365
    error_message = "An audit log keeps at least a year."
  }
}

run "takes_over_webhook_1345147" {
  command = plan

  assert {
    condition     = module.stack.registration.registration.retire == "1345147"
    error_message = "The seed's v1 webhook is retired, once the new one exists."
  }
}

run "token_parameter_is_read_not_written" {
  command = plan

  assert {
    condition     = module.stack.registration.registration.token_parameter == "/dissertation-editor/pipedrive/api-token" && output.stack.api_token_parameter_name == "/dissertation-editor/pipedrive/api-token"
    error_message = "The registration reads the seed's token parameter."
  }
}

run "keeps_the_webhook_alive" {
  command = plan

  assert {
    condition     = length(module.stack.watchdog) == 1 && module.stack.watchdog[0].schedule_expression == "rate(15 minutes)"
    error_message = "Production runs the watchdog every 15 minutes."
  }
  assert {
    condition     = contains(keys(module.stack.monitoring.metrics), "WatchdogChecks") && contains(module.stack.monitoring.alarm_names, "pipedrive-webhooks-watchdog-reregistered")
    error_message = "The watchdog's findings are metrics with alarms."
  }
  assert {
    condition     = module.stack.watchdog[0].reconcile_cursor_parameter_name == "/pipedrive-webhooks/reconcile-cursor" && contains(module.stack.monitoring.alarm_names, "pipedrive-webhooks-missed-changes")
    error_message = "Production reconciles its audit log with Pipedrive after each check, and alarms when a change was missed."
  }
  assert {
    condition     = module.stack.monitoring.dashboard_name == "pipedrive-webhooks"
    error_message = "Production has its dashboard."
  }
}

run "warns_when_alarms_reach_nobody" {
  command = plan

  variables {
    alarm_emails = []
  }

  expect_failures = [check.alarms_reach_a_person]
}

# The seed's token parameter may be encrypted with a customer-managed key: the root
# takes its ARN for the watchdog (no such input before issue 21), and refuses an
# alias, on which IAM grants nothing.
run "accepts_the_token_parameters_key" {
  command = plan

  variables {
    api_token_kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
  }
}

run "rejects_a_key_alias_for_the_token" {
  command = plan

  variables {
    api_token_kms_key_arn = "alias/aws/ssm"
  }

  expect_failures = [var.api_token_kms_key_arn]
}

# The audit log: nobody deletes it by accident, and its personal data is masked.
run "audit_log_is_protected_and_masked" {
  command = plan

  assert {
    condition     = module.stack.receiver.log_deletion_protection == true
    error_message = "Production's audit log has CloudWatch Logs' deletion protection: a destroy cannot delete it until a person turns it off."
  }
  assert {
    condition     = length(module.stack.receiver.masked_data_identifiers) > 0 && contains(module.stack.receiver.masked_data_identifiers, "arn:aws:dataprotection::aws:data-identifier/EmailAddress")
    error_message = "Production masks personal data by default."
  }
}

run "lifting_the_protection_is_a_deliberate_change" {
  command = plan

  variables {
    log_deletion_protection = false
  }

  assert {
    condition     = module.stack.receiver.log_deletion_protection == false && length(module.stack.receiver.masked_data_identifiers) > 0
    error_message = "The protection is turned off by a variable a person sets on purpose, and the masking stays."
  }
}

# The rollback of the cut-over removes the watchdog first (README, Production).
run "the_rollback_removes_the_watchdog" {
  command = plan

  variables {
    watchdog_enabled = false
  }

  assert {
    condition     = length(module.stack.watchdog) == 0 && output.stack.watchdog_function_name == null && module.stack.registration.registered
    error_message = "watchdog_enabled = false removes the watchdog and keeps the registration."
  }
}

run "checks_the_senders" {
  command = plan

  assert {
    condition     = module.stack.receiver.sender_ranges_parameter_name == "/pipedrive-webhooks/sender-ranges"
    error_message = "Production keeps Pipedrive's sender ranges in its own parameter."
  }
  assert {
    condition     = module.stack.watchdog[0].sender_ranges_parameter_name == module.stack.receiver.sender_ranges_parameter_name
    error_message = "The watchdog keeps the receiver's ranges parameter fresh, from Pipedrive's published file."
  }
}
