# Plan-and-apply tests with a mocked AWS provider: they run offline, and unchanged
# against the real provider. Run from the module: tofu test (or terraform test).
# Lists are compared as sets, as the real provider types them.

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

override_resource {
  target = module.function.aws_cloudwatch_log_group.this
  values = { arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/pdw-test" }
}

override_resource {
  target = aws_cloudwatch_log_group.access
  values = { arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/vendedlogs/apigateway/pdw-test" }
}

# value = null: the mock would otherwise invent a value for the computed `value`.
# An override never replaces a configured value (OpenTofu refuses it), so a
# configuration that puts the password in `value` fails these tests.
override_resource {
  target = aws_ssm_parameter.webhook_auth
  values = { arn = "arn:aws:ssm:us-east-1:123456789012:parameter/pdw-test/webhook-auth", value = null }
}

override_resource {
  target = module.function.aws_lambda_function.this
  values = { invoke_arn = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:pdw-test/invocations" }
}

variables {
  name            = "pdw-test"
  lambda_zip_path = "../../../dist/receiver.zip"
}

run "function" {
  command = apply

  assert {
    condition     = module.function.function.runtime == "provided.al2023" && module.function.function.handler == "bootstrap"
    error_message = "The function must run the Go bootstrap on provided.al2023."
  }
  assert {
    condition     = module.function.function.architectures == tolist(["arm64"])
    error_message = "The function must run on arm64."
  }
  assert {
    condition     = module.function.function.timeout < 10 && module.function.function.memory_size == 256
    error_message = "The timeout must stay under Pipedrive's 10 s."
  }
  assert {
    condition     = module.function.function.source_code_hash == filebase64sha256("../../../dist/receiver.zip")
    error_message = "A new zip must redeploy the function."
  }
  assert {
    condition     = module.function.function.environment["WEBHOOK_AUTH_PARAMETER"] == "/pdw-test/webhook-auth"
    error_message = "The function must be told which parameter holds the credentials."
  }
  assert {
    condition     = module.function.function.logging_config.log_format == "JSON" && module.function.function.logging_config.log_group == "/aws/lambda/pdw-test"
    error_message = "The function must log JSON to its own log group."
  }
  assert {
    condition     = module.function.log_group.name == "/aws/lambda/pdw-test" && module.function.log_group.retention_in_days == 30
    error_message = "The function's log group must exist with the default retention of 30 days."
  }
  assert {
    condition     = aws_cloudwatch_log_group.access.retention_in_days == 30
    error_message = "The access logs must have a retention too."
  }
}

run "api" {
  command = apply

  assert {
    condition     = aws_apigatewayv2_api.this.protocol_type == "HTTP"
    error_message = "The API must be an HTTP API."
  }
  assert {
    condition     = aws_apigatewayv2_route.webhook.route_key == "POST /webhooks/pipedrive"
    error_message = "The only route must be POST /webhooks/pipedrive."
  }
  assert {
    condition     = aws_apigatewayv2_integration.lambda.integration_type == "AWS_PROXY" && aws_apigatewayv2_integration.lambda.payload_format_version == "2.0"
    error_message = "The integration must be a Lambda proxy with payload format 2.0 (what httpadapter.NewV2 reads)."
  }
  assert {
    condition     = aws_apigatewayv2_integration.lambda.integration_uri == module.function.invoke_arn
    error_message = "The integration must invoke this function."
  }
  assert {
    condition     = aws_apigatewayv2_stage.default.name == "$default" && aws_apigatewayv2_stage.default.auto_deploy
    error_message = "The stage must be $default with auto-deploy."
  }
  assert {
    condition     = aws_apigatewayv2_stage.default.default_route_settings[0].throttling_rate_limit == 100 && aws_apigatewayv2_stage.default.default_route_settings[0].throttling_burst_limit == 500
    error_message = "The stage is throttled at 100/s after a burst of 500: enough for a bulk edit of 1,000 deals delivered in 5 s."
  }
  assert {
    condition     = aws_apigatewayv2_stage.default.access_log_settings[0].destination_arn == aws_cloudwatch_log_group.access.arn && can(jsondecode(aws_apigatewayv2_stage.default.access_log_settings[0].format))
    error_message = "Access logs must go, as JSON, to their own log group."
  }
  assert {
    condition     = aws_lambda_permission.api.principal == "apigateway.amazonaws.com" && aws_lambda_permission.api.source_arn == "arn:aws:execute-api:us-east-1:123456789012:abc123/*/POST/webhooks/pipedrive"
    error_message = "Only this API's webhook route may invoke the function."
  }
  assert {
    condition     = output.webhook_url == "https://abc123.execute-api.us-east-1.amazonaws.com/webhooks/pipedrive"
    error_message = "The webhook URL must be the API endpoint plus /webhooks/pipedrive."
  }
}

run "least_privilege" {
  command = apply

  assert {
    condition     = toset(module.function.policy_statements[0].resources) == toset(["arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/pdw-test:*"])
    error_message = "The function may write only to its own log group."
  }
  assert {
    condition     = toset(module.function.policy_statements[0].actions) == toset(["logs:CreateLogStream", "logs:PutLogEvents"])
    error_message = "The function may only create streams and put events (its log group exists already)."
  }
  assert {
    condition     = toset(module.function.policy_statements[1].actions) == toset(["ssm:GetParameter"]) && toset(module.function.policy_statements[1].resources) == toset(["arn:aws:ssm:us-east-1:123456789012:parameter/pdw-test/webhook-auth"])
    error_message = "The function may read exactly one parameter: its credentials."
  }
  assert {
    condition     = toset(module.function.policy_statements[2].actions) == toset(["ssm:GetParameter"]) && toset(module.function.policy_statements[2].resources) == toset([aws_ssm_parameter.sender_ranges.arn])
    error_message = "The function may read the sender ranges, and only read them."
  }
  assert {
    condition     = length(module.function.policy_statements) == 3
    error_message = "Without a customer-managed key there is no KMS statement (the AWS-managed key needs none)."
  }
  assert {
    condition     = toset(one(module.function.assume_role_statements[0].principals).identifiers) == toset(["lambda.amazonaws.com"])
    error_message = "Only Lambda may assume the role."
  }
}

run "kms_only_through_ssm" {
  command = apply

  variables {
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
  }

  assert {
    condition     = toset(module.function.policy_statements[3].actions) == toset(["kms:Decrypt"]) && toset(module.function.policy_statements[3].resources) == toset([var.kms_key_arn])
    error_message = "kms:Decrypt must be granted on the one key."
  }
  assert {
    condition     = contains([for c in module.function.policy_statements[3].condition : c.variable if c.test == "StringEquals" && c.values == tolist(["ssm.us-east-1.amazonaws.com"])], "kms:ViaService")
    error_message = "kms:Decrypt must be usable only through SSM."
  }
  assert {
    condition     = aws_ssm_parameter.webhook_auth.key_id == var.kms_key_arn && module.function.log_group.kms_key_id == var.kms_key_arn
    error_message = "The key must encrypt the parameters and the logs."
  }
}

run "secrets_are_write_only" {
  command = apply

  assert {
    condition     = aws_ssm_parameter.webhook_auth.type == "SecureString"
    error_message = "The credentials must be a SecureString."
  }
  assert {
    # `value`, which state would hold: value_wo is null in plan and state whatever
    # the configuration says, so asserting on it could not fail.
    condition     = aws_ssm_parameter.webhook_auth.value == null
    error_message = "The password must be write-only: never in state."
  }
  assert {
    condition     = aws_ssm_parameter.webhook_auth.value_wo_version == 1
    error_message = "The password is written when its version changes."
  }
  assert {
    condition     = output.webhook_auth_parameter_name == "/pdw-test/webhook-auth"
    error_message = "The credentials parameter is named after the stack."
  }
  assert {
    condition     = module.function.function.environment["WEBHOOK_AUTH_GRACE"] == "15m"
    error_message = "A rotated-out password must stay valid long enough for Pipedrive to switch webhooks."
  }
}

run "sender_check" {
  command = apply

  assert {
    condition     = module.function.function.environment["SENDER_CHECK"] == "monitor" && module.function.function.environment["SENDER_RANGES_PARAMETER"] == "/pdw-test/sender-ranges"
    error_message = "The receiver must check senders in monitor mode by default, against the stack's ranges parameter."
  }
  assert {
    condition     = aws_ssm_parameter.sender_ranges.type == "String" && jsondecode(aws_ssm_parameter.sender_ranges.value) == { prefixes = [] }
    error_message = "The ranges parameter starts as an empty list (the watchdog fills it): the receiver lets everything through until then."
  }
  assert {
    condition     = output.sender_ranges_parameter_name == "/pdw-test/sender-ranges"
    error_message = "The watchdog needs the ranges parameter's name."
  }
}

run "sender_check_enforced" {
  command = plan

  variables {
    sender_check = "enforce"
  }

  assert {
    condition     = module.function.function.environment["SENDER_CHECK"] == "enforce"
    error_message = "The mode must reach the function."
  }
}

run "rejects_a_sender_check_mode_that_does_not_exist" {
  command = plan

  variables {
    sender_check = "block"
  }

  expect_failures = [var.sender_check]
}

run "access_logs_are_vended" {
  command = plan

  assert {
    condition     = startswith(aws_cloudwatch_log_group.access.name, "/aws/vendedlogs/")
    error_message = "The access log group must be a vended-logs group, or every stack adds itself to the account's 5,120-character Logs resource policy."
  }
}

# go-lambda's plan_needs_the_zip proves that a missing zip stops the plan (its
# precondition, which a test can expect only in the module that holds it); here,
# that the zip it checks is the one this module is given.
run "plan_needs_the_zip" {
  command = plan

  variables {
    lambda_zip_path = "../../../dist/receiver.zip"
  }

  assert {
    condition     = module.function.function.filename == "../../../dist/receiver.zip"
    error_message = "The function is deployed from (and its plan checks) the zip this module is given."
  }
}

run "rejects_a_timeout_pipedrive_would_not_wait_for" {
  command = plan

  variables {
    timeout = 10
  }

  expect_failures = [var.timeout]
}

run "rejects_a_retention_aws_does_not_offer" {
  command = plan

  variables {
    log_retention_in_days = 31
  }

  expect_failures = [var.log_retention_in_days]
}

# Names: the longest name the module accepts builds every name within AWS's limits
# (the provider validates them during plan: the role <name>-function is the tightest,
# at IAM's 64 characters), and one character more is refused before AWS sees it.
run "longest_name_fits_every_aws_limit" {
  command = plan

  variables {
    name = "n234567890123456789012345678901234567890123456789012345"
  }

  assert {
    condition     = length(module.function.role_name) == 64
    error_message = "The longest name must build a role name of exactly IAM's 64 characters."
  }
}

run "one_character_more_is_refused" {
  command = plan

  variables {
    name = "n2345678901234567890123456789012345678901234567890123456"
  }

  expect_failures = [var.name]
}

# The sandbox's e2e role creates roles only with its permissions boundary
# (terraform/bootstrap); every role here takes it (none could before issue 21).
run "roles_carry_the_permissions_boundary" {
  command = plan

  variables {
    permissions_boundary_arn = "arn:aws:iam::123456789012:policy/github-e2e-pipedrive-webhooks-sandbox-boundary"
  }

  assert {
    condition     = module.function.role_permissions_boundary == "arn:aws:iam::123456789012:policy/github-e2e-pipedrive-webhooks-sandbox-boundary"
    error_message = "Every role the module creates must carry the permissions boundary it is given."
  }
}

# The audit log: deletion protection and the masking of personal data.

run "audit_log_unprotected_and_unmasked_by_default" {
  command = apply

  assert {
    condition     = module.function.log_group.deletion_protection_enabled == false && output.log_deletion_protection == false
    error_message = "A sandbox's log group must stay deletable by a plain destroy."
  }
  assert {
    condition     = length(aws_cloudwatch_log_data_protection_policy.personal_data) == 0 && length(aws_iam_policy.unmask) == 0
    error_message = "Without mask_personal_data there is no data protection policy and no unmask policy."
  }
  assert {
    condition     = output.unmask_policy_arn == null && length(output.masked_data_identifiers) == 0
    error_message = "Without masking the outputs say so."
  }
}

run "deletion_protection_on_the_audit_log" {
  command = apply

  variables {
    log_deletion_protection = true
  }

  assert {
    condition     = module.function.log_group.deletion_protection_enabled == true && output.log_deletion_protection == true
    error_message = "log_deletion_protection must turn on CloudWatch Logs' deletion protection of the function's log group."
  }
  assert {
    condition     = aws_cloudwatch_log_group.access.deletion_protection_enabled != true
    error_message = "Only the audit log is protected; the access log is operational data."
  }
}

run "masking_reports_nowhere_by_default" {
  command = apply

  variables {
    mask_personal_data = true
  }

  assert {
    condition     = aws_cloudwatch_log_data_protection_policy.personal_data[0].log_group_name == "/aws/lambda/pdw-test"
    error_message = "The policy must be on the function's log group, the audit log."
  }
  assert {
    condition     = jsondecode(aws_cloudwatch_log_data_protection_policy.personal_data[0].policy_document).Version == "2021-06-01" && length(jsondecode(aws_cloudwatch_log_data_protection_policy.personal_data[0].policy_document).Statement) == 2
    error_message = "The policy is version 2021-06-01 with two statements: one Audit, one Deidentify."
  }
  assert {
    condition     = length(keys(jsondecode(aws_cloudwatch_log_data_protection_policy.personal_data[0].policy_document).Statement[0].Operation.Audit.FindingsDestination)) == 0
    error_message = "Without a destination the Audit statement's FindingsDestination is {}."
  }
  assert {
    condition     = join(",", keys(jsondecode(aws_cloudwatch_log_data_protection_policy.personal_data[0].policy_document).Statement[1].Operation)) == "Deidentify" && length(keys(jsondecode(aws_cloudwatch_log_data_protection_policy.personal_data[0].policy_document).Statement[1].Operation.Deidentify.MaskConfig)) == 0
    error_message = "The second statement masks (Deidentify with an empty MaskConfig)."
  }
  assert {
    condition     = jsondecode(aws_cloudwatch_log_data_protection_policy.personal_data[0].policy_document).Statement[0].DataIdentifier == jsondecode(aws_cloudwatch_log_data_protection_policy.personal_data[0].policy_document).Statement[1].DataIdentifier
    error_message = "CloudWatch Logs requires both statements to name the same data identifiers."
  }
  assert {
    condition = alltrue([for id in ["EmailAddress", "Name", "Address", "PhoneNumber-US", "PhoneNumber-DE"] :
    contains(jsondecode(aws_cloudwatch_log_data_protection_policy.personal_data[0].policy_document).Statement[1].DataIdentifier, "arn:aws:dataprotection::aws:data-identifier/${id}")])
    error_message = "E-mail addresses, names, postal addresses and phone numbers are masked."
  }
  assert {
    condition     = !contains(jsondecode(aws_cloudwatch_log_data_protection_policy.personal_data[0].policy_document).Statement[1].DataIdentifier, "arn:aws:dataprotection::aws:data-identifier/IpAddress")
    error_message = "IP addresses are operational data here (the delivery's source) and stay readable."
  }
  assert {
    condition     = aws_iam_policy.unmask[0].name == "pdw-test-unmask-audit-log" && output.unmask_policy_arn == aws_iam_policy.unmask[0].arn
    error_message = "The one grant of logs:Unmask is the policy <name>-unmask-audit-log, and its ARN is an output."
  }
  assert {
    condition     = toset(data.aws_iam_policy_document.unmask[0].statement[0].actions) == toset(["logs:Unmask"]) && toset(data.aws_iam_policy_document.unmask[0].statement[0].resources) == toset(["arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/pdw-test", "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/pdw-test:*"])
    error_message = "The unmask policy grants logs:Unmask on the audit log and nothing else."
  }
  assert {
    condition     = !contains(flatten([for s in module.function.policy_statements : s.actions]), "logs:Unmask")
    error_message = "The function itself never sees unmasked data."
  }
}

run "masking_findings_to_a_log_group" {
  command = apply

  variables {
    mask_personal_data           = true
    masking_findings_destination = { log_group = "/pdw-test/masking-findings" }
  }

  assert {
    condition     = jsondecode(aws_cloudwatch_log_data_protection_policy.personal_data[0].policy_document).Statement[0].Operation.Audit.FindingsDestination == { CloudWatchLogs = { LogGroup = "/pdw-test/masking-findings" } }
    error_message = "Findings must go to the named log group."
  }
}

run "masking_findings_to_s3" {
  command = plan

  variables {
    mask_personal_data           = true
    masking_findings_destination = { s3_bucket = "pdw-test-findings" }
  }

  assert {
    condition     = jsondecode(aws_cloudwatch_log_data_protection_policy.personal_data[0].policy_document).Statement[0].Operation.Audit.FindingsDestination == { S3 = { Bucket = "pdw-test-findings" } }
    error_message = "Findings must go to the named bucket."
  }
}

run "masking_findings_to_firehose" {
  command = plan

  variables {
    mask_personal_data           = true
    masking_findings_destination = { firehose_stream = "pdw-test-findings" }
  }

  assert {
    condition     = jsondecode(aws_cloudwatch_log_data_protection_policy.personal_data[0].policy_document).Statement[0].Operation.Audit.FindingsDestination == { Firehose = { DeliveryStream = "pdw-test-findings" } }
    error_message = "Findings must go to the named Firehose stream."
  }
}

run "rejects_two_findings_destinations" {
  command = plan

  variables {
    mask_personal_data           = true
    masking_findings_destination = { log_group = "/pdw-test/findings", s3_bucket = "pdw-test-findings" }
  }

  expect_failures = [var.masking_findings_destination]
}

run "rejects_an_empty_findings_destination" {
  command = plan

  variables {
    mask_personal_data           = true
    masking_findings_destination = {}
  }

  expect_failures = [var.masking_findings_destination]
}

run "rejects_findings_into_the_audit_log_itself" {
  command = plan

  variables {
    mask_personal_data           = true
    masking_findings_destination = { log_group = "/aws/lambda/pdw-test" }
  }

  expect_failures = [aws_cloudwatch_log_data_protection_policy.personal_data]
}

run "rejects_a_data_identifier_that_is_not_an_arn" {
  command = plan

  variables {
    mask_personal_data      = true
    masked_data_identifiers = ["EmailAddress"]
  }

  expect_failures = [var.masked_data_identifiers]
}
