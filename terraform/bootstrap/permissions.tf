# What the e2e role may do: create, update, test and destroy the sandbox stack,
# whose every name starts with var.stack_prefix, and keep its state. The actions
# come from stack-permissions.json (what each Terraform type of the stack needs to
# be created, read, updated and deleted; the mocked test checks every one is here);
# test/README.md lists them with what each is for. No action is a service wildcard.

locals {
  # Every IAM action that changes a role, its policies, trust or boundary.
  iam_role_writes = [
    "iam:CreateRole", "iam:DeleteRole", "iam:TagRole", "iam:UntagRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy",
    "iam:AttachRolePolicy", "iam:DetachRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:UpdateRole", "iam:UpdateRoleDescription",
    "iam:PutRolePermissionsBoundary", "iam:DeleteRolePermissionsBoundary",
  ]
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
        "lambda:TagResource", "lambda:UntagResource", "lambda:ListTags", "lambda:PutFunctionEventInvokeConfig", "lambda:GetFunctionEventInvokeConfig",
        "lambda:UpdateFunctionEventInvokeConfig", "lambda:DeleteFunctionEventInvokeConfig", "lambda:InvokeFunction",
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
        "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy", "logs:TagResource",
        "logs:UntagResource", "logs:ListTagsForResource", "logs:FilterLogEvents", "logs:AssociateKmsKey", "logs:DisassociateKmsKey",
        "logs:PutMetricFilter", "logs:DeleteMetricFilter",
      ]
      Resource = [
        "${local.arn}:logs:${local.region}:${local.account}:log-group:/aws/lambda/${local.prefix}*",
        "${local.arn}:logs:${local.region}:${local.account}:log-group:/aws/vendedlogs/apigateway/${local.prefix}*",
      ]
    },
    {
      # The reconciliation stream the watchdog module makes in the receiver's group.
      Sid      = "TheStacksLogStreams"
      Effect   = "Allow"
      Action   = ["logs:CreateLogStream", "logs:DeleteLogStream", "logs:DescribeLogStreams"]
      Resource = ["${local.arn}:logs:${local.region}:${local.account}:log-group:/aws/lambda/${local.prefix}*", "${local.arn}:logs:${local.region}:${local.account}:log-group:/aws/lambda/${local.prefix}*:*"]
    },
    {
      # These actions take no resource narrower than the account.
      Sid    = "LogsAccountWide"
      Effect = "Allow"
      Action = [
        "logs:PutQueryDefinition", "logs:DeleteQueryDefinition", "logs:DescribeQueryDefinitions", "logs:DescribeMetricFilters",
        "logs:TestMetricFilter", "cloudwatch:DescribeAlarms", "sts:GetCallerIdentity",
      ]
      Resource = "*"
    },
    {
      # What AWS's HTTP API logging guide lists, on "*", for the caller that turns
      # a stage's access logging on (the stage's vended log delivery).
      Sid    = "HTTPAPIAccessLogging"
      Effect = "Allow"
      Action = [
        "logs:CreateLogGroup", "logs:DescribeLogGroups", "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery",
        "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies",
      ]
      Resource = "*"
    },
    {
      Sid      = "TheStacksAlarms"
      Effect   = "Allow"
      Action   = ["cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:TagResource", "cloudwatch:UntagResource", "cloudwatch:ListTagsForResource"]
      Resource = "${local.arn}:cloudwatch:${local.region}:${local.account}:alarm:${local.prefix}*"
    },
    {
      Sid      = "TheStacksDashboard"
      Effect   = "Allow"
      Action   = ["cloudwatch:PutDashboard", "cloudwatch:GetDashboard", "cloudwatch:DeleteDashboards"]
      Resource = "${local.arn}:cloudwatch::${local.account}:dashboard/${local.prefix}*"
    },
    {
      Sid    = "TheStacksAlarmTopic"
      Effect = "Allow"
      Action = [
        "sns:CreateTopic", "sns:DeleteTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:Subscribe", "sns:Unsubscribe",
        "sns:GetSubscriptionAttributes", "sns:SetSubscriptionAttributes", "sns:TagResource", "sns:UntagResource", "sns:ListTagsForResource",
      ]
      Resource = "${local.arn}:sns:${local.region}:${local.account}:${local.prefix}*"
    },
    {
      Sid      = "TheStacksWatchdogSchedule"
      Effect   = "Allow"
      Action   = ["scheduler:CreateSchedule", "scheduler:GetSchedule", "scheduler:UpdateSchedule", "scheduler:DeleteSchedule"]
      Resource = "${local.arn}:scheduler:${local.region}:${local.account}:schedule/default/${local.prefix}*"
    },
    {
      # Only roles that carry the sandbox boundary may be created or given a
      # policy (IAM puts iam:PermissionsBoundary in these requests' context).
      Sid       = "CreateTheStacksRolesWithTheBoundaryOnly"
      Effect    = "Allow"
      Action    = ["iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary"]
      Resource  = "${local.arn}:iam::${local.account}:role/${local.prefix}*"
      Condition = { StringEquals = { "iam:PermissionsBoundary" = aws_iam_policy.sandbox_boundary.arn } }
    },
    {
      Sid    = "TheStacksRole"
      Effect = "Allow"
      Action = [
        "iam:GetRole", "iam:DeleteRole", "iam:TagRole", "iam:UntagRole", "iam:UpdateAssumeRolePolicy", "iam:UpdateRoleDescription",
        "iam:UpdateRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies",
        "iam:ListInstanceProfilesForRole", "iam:SimulatePrincipalPolicy",
      ]
      Resource = "${local.arn}:iam::${local.account}:role/${local.prefix}*"
    },
    {
      # Its name is outside the prefix already; this holds should the prefix or
      # the name ever change.
      Sid      = "NeverItself"
      Effect   = "Deny"
      Action   = local.iam_role_writes
      Resource = aws_iam_role.e2e.arn
    },
    {
      Sid       = "PassTheStacksRolesToLambdaAndSchedulerOnly"
      Effect    = "Allow"
      Action    = ["iam:PassRole"]
      Resource  = "${local.arn}:iam::${local.account}:role/${local.prefix}*"
      Condition = { StringEquals = { "iam:PassedToService" = ["lambda.amazonaws.com", "scheduler.amazonaws.com"] } }
    },
    {
      Sid    = "TheStacksParameters"
      Effect = "Allow"
      Action = [
        "ssm:PutParameter", "ssm:GetParameter", "ssm:GetParameters", "ssm:DeleteParameter", "ssm:AddTagsToResource",
        "ssm:RemoveTagsFromResource", "ssm:ListTagsForResource",
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
