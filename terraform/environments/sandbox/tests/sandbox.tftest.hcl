# The sandbox root with a mocked AWS provider: names, wiring and outputs.
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

# The token is set run by run: Terraform reads `pipedrive_api_token = null` in a
# run's variables as "not set here" and keeps a file-level value, so the run
# without it could not unset one.
variables {
  name_suffix         = "t1a2b3"
  secret_tool_command = "true"
}

run "stack" {
  command = apply

  variables {
    pipedrive_api_token = "not-a-real-token"
    register_webhook    = false
  }

  assert {
    condition     = output.stack.function_name == "pipedrive-webhooks-sandbox-t1a2b3"
    error_message = "Every name carries the suffix, so that parallel stacks do not collide."
  }
  assert {
    condition     = output.stack.log_group_name == "/aws/lambda/pipedrive-webhooks-sandbox-t1a2b3" && output.stack.log_retention_in_days == 14
    error_message = "The log group is the function's, with the sandbox's retention."
  }
  assert {
    condition     = output.stack.webhook_url == "https://abc123.execute-api.us-east-1.amazonaws.com/webhooks/pipedrive"
    error_message = "The webhook URL comes from the API."
  }
  assert {
    condition     = output.stack.api_token_parameter_name == "/pipedrive-webhooks-sandbox-t1a2b3/api-token" && output.stack.webhook_auth_parameter_name == "/pipedrive-webhooks-sandbox-t1a2b3/webhook-auth"
    error_message = "A sandbox keeps its own parameters."
  }
  assert {
    condition     = !output.stack.webhook_registered && module.stack.registration.registration == null
    error_message = "With register_webhook = false nothing is registered."
  }
  assert {
    condition     = output.stack.watchdog_function_name == null && !contains(module.stack.monitoring.alarm_names, "pipedrive-webhooks-sandbox-t1a2b3-watchdog-silent")
    error_message = "Without a registration there is nothing to watch."
  }
  assert {
    condition     = contains(module.stack.monitoring.alarm_names, "pipedrive-webhooks-sandbox-t1a2b3-function-errors") && output.stack.dashboard_url == "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards/dashboard/pipedrive-webhooks-sandbox-t1a2b3"
    error_message = "The receiver's alarms and dashboard exist with or without a registration."
  }
  assert {
    condition     = output.stack.unmask_policy_arn == null && length(module.stack.receiver.masked_data_identifiers) == 0 && module.stack.receiver.log_deletion_protection == false
    error_message = "A sandbox masks nothing unless asked, and a destroy deletes its log group."
  }
}

run "masking_is_optional" {
  command = plan

  variables {
    pipedrive_api_token = "not-a-real-token"
    register_webhook    = false
    mask_personal_data  = true
  }

  assert {
    condition     = contains(module.stack.receiver.masked_data_identifiers, "arn:aws:dataprotection::aws:data-identifier/EmailAddress")
    error_message = "mask_personal_data turns the masking on in a sandbox too."
  }
}

# The webhook's options reach the registration as they are: the root and the stack
# pass one value through, and the registration module checks it.
run "webhook_options_pass_through" {
  command = plan

  variables {
    pipedrive_api_token = "not-a-real-token"
    webhook             = { subscriptions = [{ event_object = "deal" }, { event_object = "person", event_action = "create" }], user_id = 42, name = null }
  }

  assert {
    condition     = sort(keys(module.stack.registration.subscriptions)) == tolist(["2.0/deal/*", "2.0/person/create"]) && module.stack.registration.registration.user_id == 42
    error_message = "The subscriptions and the user given reach the registration."
  }
  assert {
    condition     = module.stack.registration.registration.name == "pipedrive-webhooks-sandbox-t1a2b3"
    error_message = "Without a name among the options (or with a null one), the webhooks are named after the stack."
  }
}

run "watchdog_on_by_default" {
  command = plan

  variables {
    pipedrive_api_token = "not-a-real-token"
  }

  assert {
    condition     = length(module.stack.watchdog) == 1 && module.stack.watchdog[0].function_name == "pipedrive-webhooks-sandbox-t1a2b3-watchdog"
    error_message = "The sandbox runs the watchdog by default."
  }
  assert {
    condition     = length(module.stack.monitoring.alarm_names) == 15
    error_message = "With the watchdog, every alarm of the issues exists (missed-changes included)."
  }
  assert {
    condition     = module.stack.watchdog[0].reconcile_cursor_parameter_name == "/pipedrive-webhooks-sandbox-t1a2b3/reconcile-cursor"
    error_message = "The sandbox reconciles its audit log with Pipedrive after each check, by default."
  }
}

run "registration" {
  command = plan

  variables {
    pipedrive_api_token = "not-a-real-token"
  }

  assert {
    condition     = module.stack.registration.registration.auth_parameter == "/pipedrive-webhooks-sandbox-t1a2b3/webhook-auth"
    error_message = "The tool reads the receiver's credentials parameter."
  }
  assert {
    condition     = jsonencode(module.stack.registration.registration.subscriptions) == jsonencode([{ event_object = "deal", event_action = "*", version = "2.0" }])
    error_message = "The webhook is v2 for every deal event, as the seed's."
  }
  assert {
    condition     = output.stack.webhook_name == "pipedrive-webhooks-sandbox-t1a2b3" && module.stack.registration.registration.auth_version == 1
    error_message = "The webhook is named after the stack; a new credentials version registers it anew."
  }
  assert {
    condition     = module.stack.registration.registration.region == "us-east-1"
    error_message = "The tool reads SSM in the stack's region, not the operator's shell's."
  }
  assert {
    condition     = module.stack.registration.registration.token_parameter == "/pipedrive-webhooks-sandbox-t1a2b3/api-token"
    error_message = "The tool reads the stack's own token parameter."
  }
  assert {
    condition     = !startswith(module.stack.registration.registration.command, "/") && endswith(module.stack.registration.registration.command, "scripts/pipedrive-webhook/run")
    error_message = "The tool's path is relative, so that destroy works from another clone with shared state."
  }
  assert {
    condition     = !strcontains(jsonencode(module.stack.registration.registration), "not-a-real-token")
    error_message = "No secret may reach the registration's inputs."
  }
}

# No plan or state holds the token (issue 21). It reaches SSM only through the
# environment of scripts/ssm-secret's local-exec; Terraform keeps the parameter's
# name and region. Before, an aws_ssm_parameter held it write-only with
# value_wo = "" when the token was not given: an in-place update then sent an
# empty value (refused by SSM) and the provider's read stored the decrypted token
# in state as `value`.
run "no_state_holds_the_token" {
  command = apply

  variables {
    pipedrive_api_token = "not-a-real-token"
    register_webhook    = false
  }

  assert {
    condition = alltrue([
      for r in [jsonencode(terraform_data.api_token), jsonencode(terraform_data.api_token_parameter), jsonencode(module.stack.registration.registration), jsonencode(output.stack)] :
      !strcontains(r, "not-a-real-token")
    ])
    error_message = "The token must reach no resource, input or output: only the tool's environment."
  }
  assert {
    condition     = terraform_data.api_token[0].output == "/pipedrive-webhooks-sandbox-t1a2b3/api-token" && terraform_data.api_token_parameter[0].output.region == "us-east-1"
    error_message = "Terraform keeps the parameter's name and region, nothing else of it."
  }
}

# A plan without the token warns that the first apply, and a new version, need it.
run "warns_without_the_token" {
  command = plan

  expect_failures = [check.api_token_given_when_needed]

  variables {
    register_webhook = false
  }
}

# An apply with the version unchanged neither writes nor reads the parameter: the
# tool is `false` here, so the apply would fail if it ran. What writes is the
# version, not the token: without the token the apply is the same, and warns as the
# plan above does. (The token is given here because Terraform 1.11's test runner
# refuses an apply whose ephemeral variable was unset at plan: "must remain unset
# during the apply phase".)
run "an_unchanged_version_writes_nothing" {
  command = apply

  variables {
    pipedrive_api_token = "not-a-real-token"
    register_webhook    = false
    secret_tool_command = "false"
  }

  assert {
    condition     = terraform_data.api_token[0].output == "/pipedrive-webhooks-sandbox-t1a2b3/api-token"
    error_message = "Without the token the parameter stays as it is."
  }
}

# Teardown destroys with the tool the state last recorded: a working one again.
run "a_working_tool_again" {
  command = apply

  variables {
    pipedrive_api_token = "not-a-real-token"
    register_webhook    = false
  }
}
