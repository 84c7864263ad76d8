# What the e2e role may do: create, test and destroy the sandbox stack, whose every
# name starts with var.stack_prefix, and keep its state. test/README.md lists the
# same permissions with what each is for. No action is a service wildcard.

locals {
  prefix = var.stack_prefix
  arn    = "arn:${local.partition}"
  region = "*" # the sandbox may be deployed to any region

  e2e_statements = [
    {
      Sid    = "TheStacksFunction"
      Effect = "Allow"
      Action = [
        "lambda:CreateFunction", "lambda:GetFunction", "lambda:GetFunctionCodeSigningConfig", "lambda:UpdateFunctionCode",
        "lambda:UpdateFunctionConfiguration", "lambda:DeleteFunction", "lambda:ListVersionsByFunction", "lambda:AddPermission",
        "lambda:RemovePermission", "lambda:GetPolicy", "lambda:PutFunctionConcurrency", "lambda:DeleteFunctionConcurrency",
        "lambda:TagResource", "lambda:ListTags",
      ]
      Resource = "${local.arn}:lambda:${local.region}:${local.account}:function:${local.prefix}*"
    },
    {
      Sid      = "TheStacksHTTPAPI"
      Effect   = "Allow"
      Action   = ["apigateway:GET", "apigateway:POST", "apigateway:PATCH", "apigateway:DELETE", "apigateway:TagResource"]
      Resource = ["${local.arn}:apigateway:${local.region}::/apis", "${local.arn}:apigateway:${local.region}::/apis/*", "${local.arn}:apigateway:${local.region}::/tags/*"]
    },
    {
      Sid    = "TheStacksLogGroups"
      Effect = "Allow"
      Action = [
        "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:TagResource", "logs:ListTagsForResource",
        "logs:FilterLogEvents", "logs:AssociateKmsKey",
      ]
      Resource = [
        "${local.arn}:logs:${local.region}:${local.account}:log-group:/aws/lambda/${local.prefix}*",
        "${local.arn}:logs:${local.region}:${local.account}:log-group:/aws/vendedlogs/apigateway/${local.prefix}*",
      ]
    },
    {
      # These actions take no resource narrower than the account.
      Sid    = "LogsAccountWide"
      Effect = "Allow"
      Action = [
        "logs:DescribeLogGroups", "logs:PutQueryDefinition", "logs:DeleteQueryDefinition", "logs:DescribeQueryDefinitions",
        "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:ListLogDeliveries",
        "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
        "cloudwatch:DescribeAlarms", "secretsmanager:GetRandomPassword", "sts:GetCallerIdentity",
      ]
      Resource = "*"
    },
    {
      Sid      = "TheStacksAlarms"
      Effect   = "Allow"
      Action   = ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:TagResource", "cloudwatch:ListTagsForResource"]
      Resource = "${local.arn}:cloudwatch:${local.region}:${local.account}:alarm:${local.prefix}*"
    },
    {
      Sid    = "TheStacksRole"
      Effect = "Allow"
      Action = [
        "iam:CreateRole", "iam:GetRole", "iam:DeleteRole", "iam:TagRole", "iam:PutRolePolicy", "iam:GetRolePolicy",
        "iam:DeleteRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole",
        "iam:SimulatePrincipalPolicy",
      ]
      Resource = "${local.arn}:iam::${local.account}:role/${local.prefix}*"
    },
    {
      Sid       = "PassTheStacksRoleToLambdaOnly"
      Effect    = "Allow"
      Action    = ["iam:PassRole"]
      Resource  = "${local.arn}:iam::${local.account}:role/${local.prefix}*"
      Condition = { StringEquals = { "iam:PassedToService" = "lambda.amazonaws.com" } }
    },
    {
      Sid    = "TheStacksParameters"
      Effect = "Allow"
      Action = [
        "ssm:PutParameter", "ssm:GetParameter", "ssm:GetParameters", "ssm:DeleteParameter", "ssm:AddTagsToResource",
        "ssm:ListTagsForResource",
      ]
      Resource = "${local.arn}:ssm:${local.region}:${local.account}:parameter/${local.prefix}*"
    },
    {
      Sid      = "DescribeParameters"
      Effect   = "Allow"
      Action   = ["ssm:DescribeParameters"]
      Resource = "*"
    },
    {
      Sid      = "TheSandboxState"
      Effect   = "Allow"
      Action   = ["s3:ListBucket"]
      Resource = aws_s3_bucket.state.arn
    },
    {
      Sid      = "TheSandboxStateObjects"
      Effect   = "Allow"
      Action   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
      Resource = "${aws_s3_bucket.state.arn}/pipedrive-webhooks/sandbox*"
    },
  ]
}
