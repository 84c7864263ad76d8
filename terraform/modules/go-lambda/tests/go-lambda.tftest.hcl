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
  values = { arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/pdw-fn" }
}

variables {
  name             = "pdw-fn"
  description      = "A function for the tests."
  role_description = "Runs pdw-fn."
  policy_name      = "fn"
  lambda_zip_path  = "../../../dist/receiver.zip"
  timeout          = 5
  policy_statements = [
    { sid = "ReadOneParameter", actions = ["ssm:GetParameter"], resources = ["arn:aws:ssm:us-east-1:123456789012:parameter/pdw-fn/one"] },
  ]
  environment_variables = { ONE_PARAMETER = "/pdw-fn/one" }
}

run "function" {
  command = apply

  assert {
    condition     = aws_lambda_function.this.runtime == "provided.al2023" && aws_lambda_function.this.handler == "bootstrap" && aws_lambda_function.this.architectures == tolist(["arm64"])
    error_message = "The function runs the Go bootstrap on provided.al2023, arm64."
  }
  assert {
    condition     = aws_lambda_function.this.source_code_hash == filebase64sha256("../../../dist/receiver.zip") && aws_lambda_function.this.filename == "../../../dist/receiver.zip"
    error_message = "A new zip must redeploy the function."
  }
  assert {
    condition     = aws_lambda_function.this.environment[0].variables == tomap({ ONE_PARAMETER = "/pdw-fn/one" }) && output.function.environment == tomap({ ONE_PARAMETER = "/pdw-fn/one" })
    error_message = "The function's environment is exactly the caller's."
  }
  assert {
    condition     = aws_lambda_function.this.logging_config[0].log_format == "JSON" && aws_lambda_function.this.logging_config[0].log_group == "/aws/lambda/pdw-fn" && aws_lambda_function.this.logging_config[0].system_log_level == "WARN" && aws_lambda_function.this.logging_config[0].application_log_level == "INFO"
    error_message = "The function logs JSON to its own log group, at the caller's level."
  }
  assert {
    condition     = aws_cloudwatch_log_group.this.name == "/aws/lambda/pdw-fn" && aws_cloudwatch_log_group.this.retention_in_days == 30 && aws_cloudwatch_log_group.this.deletion_protection_enabled == false
    error_message = "The log group exists before the function, with a retention of 30 days by default, unprotected."
  }
  assert {
    condition     = aws_iam_role.this.name == "pdw-fn" && aws_lambda_function.this.role == aws_iam_role.this.arn
    error_message = "The role is named after the function unless told otherwise."
  }
  assert {
    condition     = aws_lambda_function.this.reserved_concurrent_executions == -1 && aws_lambda_function.this.memory_size == 128 && aws_lambda_function.this.timeout == 5
    error_message = "No reserved concurrency, 128 MB by default; the caller's timeout."
  }
}

run "least_privilege" {
  command = apply

  assert {
    condition     = data.aws_iam_policy_document.this.statement[0].sid == "WriteItsOwnLogs" && toset(data.aws_iam_policy_document.this.statement[0].resources) == toset(["arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/pdw-fn:*"]) && toset(data.aws_iam_policy_document.this.statement[0].actions) == toset(["logs:CreateLogStream", "logs:PutLogEvents"])
    error_message = "The function may create streams and put events in its own log group, and nowhere else."
  }
  assert {
    condition     = data.aws_iam_policy_document.this.statement[1].sid == "ReadOneParameter" && toset(data.aws_iam_policy_document.this.statement[1].resources) == toset(["arn:aws:ssm:us-east-1:123456789012:parameter/pdw-fn/one"])
    error_message = "The caller's statements follow, as given."
  }
  assert {
    condition     = length(data.aws_iam_policy_document.this.statement) == 2 && output.policy_statements == data.aws_iam_policy_document.this.statement
    error_message = "Without ssm_decrypt there is no KMS statement."
  }
  assert {
    condition     = toset(one(data.aws_iam_policy_document.assume.statement[0].principals).identifiers) == toset(["lambda.amazonaws.com"]) && one(data.aws_iam_policy_document.assume.statement[0].condition).values == tolist(["123456789012"])
    error_message = "Only Lambda may assume the role, for this account."
  }
  assert {
    condition     = aws_iam_role_policy.this.name == "fn" && aws_iam_role_policy.this.role == aws_iam_role.this.id
    error_message = "The inline policy is the caller's name, on the function's role."
  }
}

run "decrypts_through_ssm_only" {
  command = plan

  variables {
    kms_key_arn = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    ssm_decrypt = [
      { sid = "DecryptOne", key_arn = "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555", parameter_arns = ["arn:aws:ssm:us-east-1:123456789012:parameter/pdw-fn/one"] },
    ]
  }

  assert {
    condition     = length(data.aws_iam_policy_document.this.statement) == 3 && data.aws_iam_policy_document.this.statement[2].sid == "DecryptOne" && toset(data.aws_iam_policy_document.this.statement[2].actions) == toset(["kms:Decrypt"]) && toset(data.aws_iam_policy_document.this.statement[2].resources) == toset(["arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"])
    error_message = "kms:Decrypt comes last, on the one key."
  }
  assert {
    condition     = toset([for c in data.aws_iam_policy_document.this.statement[2].condition : "${c.variable}=${join(",", c.values)}" if c.test == "StringEquals"]) == toset(["kms:ViaService=ssm.us-east-1.amazonaws.com", "kms:EncryptionContext:PARAMETER_ARN=arn:aws:ssm:us-east-1:123456789012:parameter/pdw-fn/one"])
    error_message = "The key decrypts through SSM only, for its parameters alone."
  }
  assert {
    condition     = aws_cloudwatch_log_group.this.kms_key_id == "arn:aws:kms:us-east-1:123456789012:key/11111111-2222-3333-4444-555555555555"
    error_message = "The key encrypts the log group."
  }
}

run "protected_log_group_and_own_role_name" {
  command = plan

  variables {
    log_deletion_protection  = true
    log_retention_in_days    = 400
    role_name                = "pdw-fn-function"
    permissions_boundary_arn = "arn:aws:iam::123456789012:policy/boundary"
  }

  assert {
    condition     = aws_cloudwatch_log_group.this.deletion_protection_enabled == true && aws_cloudwatch_log_group.this.retention_in_days == 400 && output.log_group.deletion_protection_enabled == true
    error_message = "The caller's retention and deletion protection reach the log group."
  }
  assert {
    condition     = aws_iam_role.this.name == "pdw-fn-function" && output.role_permissions_boundary == "arn:aws:iam::123456789012:policy/boundary"
    error_message = "The role takes the caller's name and boundary."
  }
}

run "plan_needs_the_zip" {
  command = plan

  variables {
    lambda_zip_path = "no-such-build/fn.zip"
  }

  expect_failures = [aws_lambda_function.this]
}

run "rejects_a_key_alias" {
  command = plan

  variables {
    ssm_decrypt = [{ sid = "DecryptOne", key_arn = "alias/aws/ssm", parameter_arns = ["arn:aws:ssm:us-east-1:123456789012:parameter/pdw-fn/one"] }]
  }

  expect_failures = [var.ssm_decrypt]
}

run "rejects_a_statement_without_resources" {
  command = plan

  variables {
    policy_statements = [{ sid = "ReadNothing", actions = ["ssm:GetParameter"], resources = [] }]
  }

  expect_failures = [var.policy_statements]
}
