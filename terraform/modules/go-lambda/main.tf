data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  role_name = coalesce(var.role_name, var.name)
}

################################################################################
# Logs: created before the function, so that Lambda never creates an unmanaged one
################################################################################

resource "aws_cloudwatch_log_group" "this" {
  name                        = "/aws/lambda/${var.name}"
  retention_in_days           = var.log_retention_in_days
  kms_key_id                  = var.kms_key_arn
  deletion_protection_enabled = var.log_deletion_protection
  tags                        = var.tags
}

################################################################################
# The role: its own logs, the caller's statements, and decryption through SSM
################################################################################

data "aws_iam_policy_document" "assume" {
  statement {
    sid     = "LambdaAssumesTheRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = local.role_name
  description          = var.role_description
  assume_role_policy   = data.aws_iam_policy_document.assume.json
  permissions_boundary = var.permissions_boundary_arn
  tags                 = var.tags
}

data "aws_iam_policy_document" "this" {
  statement {
    sid     = "WriteItsOwnLogs"
    actions = ["logs:CreateLogStream", "logs:PutLogEvents"]
    # Lambda names its log streams at run time: the wildcard covers the streams of
    # this function's own log group and nothing else.
    #tfsec:ignore:aws-iam-no-policy-wildcards
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }

  dynamic "statement" {
    for_each = var.policy_statements
    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources
    }
  }

  # Decrypt through SSM only, each key for its own parameters.
  dynamic "statement" {
    for_each = var.ssm_decrypt
    content {
      sid       = statement.value.sid
      actions   = ["kms:Decrypt"]
      resources = [statement.value.key_arn]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["ssm.${data.aws_region.current.region}.amazonaws.com"]
      }

      condition {
        test     = "StringEquals"
        variable = "kms:EncryptionContext:PARAMETER_ARN"
        values   = statement.value.parameter_arns
      }
    }
  }
}

resource "aws_iam_role_policy" "this" {
  name   = var.policy_name
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

################################################################################
# The function, from the zip make build writes
################################################################################

resource "aws_lambda_function" "this" {
  function_name = var.name
  description   = var.description
  role          = aws_iam_role.this.arn
  runtime       = "provided.al2023"
  architectures = ["arm64"]
  handler       = "bootstrap"
  filename      = var.lambda_zip_path
  # Guarded, because Terraform evaluates it on destroy too: a fresh clone without
  # build output must still be able to destroy. The precondition below stops a plan.
  source_code_hash = fileexists(var.lambda_zip_path) ? filebase64sha256(var.lambda_zip_path) : null
  memory_size      = var.memory_size
  timeout          = var.timeout

  reserved_concurrent_executions = var.reserved_concurrent_executions

  environment {
    variables = var.environment_variables
  }

  logging_config {
    log_format            = "JSON"
    log_group             = aws_cloudwatch_log_group.this.name
    application_log_level = var.log_level
    system_log_level      = "WARN"
  }

  tags = var.tags

  # The caller's own prerequisites (say, a data protection policy on the log group)
  # come in through depends_on_ids.
  depends_on = [aws_iam_role_policy.this, var.depends_on_ids]

  lifecycle {
    precondition {
      condition     = fileexists(var.lambda_zip_path)
      error_message = "The deployment zip ${var.lambda_zip_path} does not exist: run make build (make plan and make apply do)."
    }
  }
}
