# The bootstrap root with a mocked AWS provider: the state bucket's protections,
# the e2e role's trust, and no wildcard permission.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
}

override_resource {
  target = aws_s3_bucket.state
  values = { arn = "arn:aws:s3:::dissertation-editor-pipedrive-webhooks-tfstate", id = "dissertation-editor-pipedrive-webhooks-tfstate" }
}

override_resource {
  target = aws_iam_openid_connect_provider.github
  values = { arn = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
}

override_resource {
  target = aws_iam_role.e2e
  values = { arn = "arn:aws:iam::123456789012:role/github-e2e-pipedrive-webhooks-sandbox" }
}

override_resource {
  target = aws_iam_policy.sandbox_boundary
  values = { arn = "arn:aws:iam::123456789012:policy/github-e2e-pipedrive-webhooks-sandbox-boundary" }
}

run "state_bucket" {
  command = apply

  assert {
    condition     = aws_s3_bucket_versioning.state.versioning_configuration[0].status == "Enabled"
    error_message = "State must be versioned: a bad apply is undone from an earlier version."
  }
  assert {
    condition     = one(aws_s3_bucket_server_side_encryption_configuration.state.rule).apply_server_side_encryption_by_default[0].sse_algorithm == "aws:kms"
    error_message = "State must be encrypted at rest."
  }
  assert {
    condition     = aws_s3_bucket_public_access_block.state.block_public_acls && aws_s3_bucket_public_access_block.state.block_public_policy && aws_s3_bucket_public_access_block.state.ignore_public_acls && aws_s3_bucket_public_access_block.state.restrict_public_buckets
    error_message = "The state bucket must block every kind of public access."
  }
  assert {
    condition     = jsondecode(aws_s3_bucket_policy.state.policy).Statement[0].Effect == "Deny" && jsondecode(aws_s3_bucket_policy.state.policy).Statement[0].Condition.Bool["aws:SecureTransport"] == "false"
    error_message = "The state bucket must refuse requests without TLS."
  }
}

# Versioned state with S3-native locking grows without end: every plan and apply
# leaves a noncurrent .tflock version and a delete marker, every apply a state
# version. (No lifecycle rule at all before issue 21.)
run "old_versions_and_lock_markers_expire" {
  command = apply

  assert {
    condition = anytrue([
      for r in aws_s3_bucket_lifecycle_configuration.state.rule : r.status == "Enabled" && length(r.noncurrent_version_expiration) == 1 &&
      try(r.noncurrent_version_expiration[0].noncurrent_days, 0) == 90 && try(r.noncurrent_version_expiration[0].newer_noncurrent_versions, 0) == 10
    ])
    error_message = "Noncurrent state and lock versions must expire (after 90 days, keeping the newest 10)."
  }
  assert {
    condition = anytrue([
      for r in aws_s3_bucket_lifecycle_configuration.state.rule : r.status == "Enabled" && try(r.expiration[0].expired_object_delete_marker, false)
    ])
    error_message = "Delete markers left alone (the released locks') must be removed."
  }
  assert {
    # S3 takes expired_object_delete_marker alone in an expiration (no days, no date).
    condition     = alltrue([for r in aws_s3_bucket_lifecycle_configuration.state.rule : alltrue([for e in r.expiration : e.expired_object_delete_marker])])
    error_message = "No rule may expire the current state: an expiration only removes delete markers."
  }
}

run "trust_is_this_repository_and_environment_only" {
  command = apply

  assert {
    condition     = jsondecode(aws_iam_role.e2e.assume_role_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:sub"] == "repo:dissertation-editor/pipedrive-webhooks:environment:sandbox"
    error_message = "Only this repository's jobs in the sandbox environment may assume the role."
  }
  assert {
    condition     = jsondecode(aws_iam_role.e2e.assume_role_policy).Statement[0].Condition.StringEquals["token.actions.githubusercontent.com:aud"] == "sts.amazonaws.com"
    error_message = "The token's audience must be STS."
  }
  assert {
    condition     = length(jsondecode(aws_iam_role.e2e.assume_role_policy).Statement) == 1 && !can(jsondecode(aws_iam_role.e2e.assume_role_policy).Statement[0].Condition.StringLike)
    error_message = "No other statement, and no pattern (StringLike), may widen the trust."
  }
}

run "no_wildcard_permission" {
  command = apply

  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.e2e.policy).Statement : alltrue([
        for a in flatten([s.Action]) : a != "*" && !endswith(a, ":*")
      ])
    ])
    error_message = "No action may be * or a whole service (service:*)."
  }
  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.e2e.policy).Statement : s.Resource != "*" || alltrue([
        for a in flatten([s.Action]) : contains(["logs:CreateLogGroup", "logs:DescribeLogGroups", "logs:PutQueryDefinition", "logs:DeleteQueryDefinition", "logs:DescribeQueryDefinitions", "logs:CreateLogDelivery", "logs:GetLogDelivery", "logs:UpdateLogDelivery", "logs:DeleteLogDelivery", "logs:ListLogDeliveries", "logs:PutResourcePolicy", "logs:DescribeResourcePolicies", "logs:DescribeMetricFilters", "logs:TestMetricFilter", "cloudwatch:DescribeAlarms", "secretsmanager:GetRandomPassword", "sts:GetCallerIdentity", "ssm:DescribeParameters"], a)
      ])
    ])
    error_message = "Only actions that take no narrower resource may apply to every resource."
  }
  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.e2e.policy).Statement : s.Effect == "Deny" || alltrue([
        for r in flatten([s.Resource]) : r == "*" || strcontains(r, "pipedrive-webhooks-sandbox") || strcontains(r, "::/apis") || strcontains(r, "::/tags/") || strcontains(r, "tfstate")
      ])
    ])
    error_message = "Every scoped resource is the sandbox stack's (by name prefix), its HTTP APIs, or its state."
  }
}

run "existing_oidc_provider" {
  command = plan

  variables {
    create_oidc_provider = false
  }

  assert {
    condition     = length(aws_iam_openid_connect_provider.github) == 0 && output.oidc_provider_arn == "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    error_message = "An account's existing GitHub provider is used, not created twice."
  }
}

# The e2e role may manage roles named with the stack's prefix. Were its own name
# under that prefix (as before issue 21: pipedrive-webhooks-sandbox-e2e), it could
# rewrite its own policy and trust; and any role it creates, with any policy,
# could be passed to Lambda. So: its name is outside every role pattern it is
# allowed, an explicit deny covers its own ARN, and it creates roles, or gives
# them a policy, only with the sandbox boundary.
run "the_role_cannot_touch_itself" {
  command = apply

  assert {
    condition = alltrue(flatten([
      for s in jsondecode(aws_iam_role_policy.e2e.policy).Statement : [
        for r in flatten([s.Resource]) : !startswith(aws_iam_role.e2e.name, trimsuffix(split(":role/", r)[1], "*"))
        if s.Effect == "Allow" && strcontains(r, ":role/")
      ]
    ]))
    error_message = "The e2e role's name must match no role pattern it is allowed: it could rewrite its own permissions."
  }
  assert {
    condition = anytrue([
      for s in jsondecode(aws_iam_role_policy.e2e.policy).Statement :
      s.Effect == "Deny" && s.Resource == aws_iam_role.e2e.arn && alltrue([
        for a in ["iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:UpdateAssumeRolePolicy", "iam:DeleteRole", "iam:DeleteRolePermissionsBoundary"] : contains(s.Action, a)
      ])
    ])
    error_message = "An explicit deny must keep the e2e role from changing itself."
  }
}

run "every_role_it_creates_carries_the_boundary" {
  command = apply

  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_role_policy.e2e.policy).Statement :
      try(s.Condition.StringEquals["iam:PermissionsBoundary"], "") == aws_iam_policy.sandbox_boundary.arn
      if s.Effect == "Allow" && length(setintersection(toset(flatten([s.Action])), toset(["iam:CreateRole", "iam:PutRolePolicy", "iam:AttachRolePolicy", "iam:DeleteRolePolicy"]))) > 0
    ])
    error_message = "The e2e role may create roles, and give them policies, only with the sandbox permissions boundary."
  }
  assert {
    condition     = anytrue([for s in jsondecode(aws_iam_role_policy.e2e.policy).Statement : s.Effect == "Allow" && contains(flatten([s.Action]), "iam:CreateRole")])
    error_message = "The e2e role must still create the stack's roles."
  }
  assert {
    condition = alltrue([
      for s in jsondecode(aws_iam_policy.sandbox_boundary.policy).Statement : alltrue([
        for a in flatten([s.Action]) : contains(["logs:CreateLogStream", "logs:PutLogEvents", "logs:StartQuery", "logs:GetQueryResults", "ssm:GetParameter", "ssm:PutParameter", "kms:Decrypt", "lambda:InvokeFunction"], a)
      ])
    ])
    error_message = "The boundary allows only what the stack's functions and schedule do."
  }
  assert {
    condition     = output.e2e_permissions_boundary_arn == aws_iam_policy.sandbox_boundary.arn
    error_message = "The boundary's ARN is an output, for the workflow's SANDBOX_PERMISSIONS_BOUNDARY_ARN."
  }
}

# stack-permissions.json says what each Terraform type of the sandbox stack needs
# to be created, read, updated and deleted (test/permissions_test.go checks it
# names every type): the role must be allowed every one of those actions. Before
# issue 21 the update-only ones (iam:UntagRole, logs:DeleteRetentionPolicy, …) and
# the account-wide logs:CreateLogGroup that access logging asks for were missing.
run "allowed_everything_the_stack_needs" {
  command = apply

  assert {
    condition = length(setsubtract(
      toset(flatten([
        for type, ops in jsondecode(file("stack-permissions.json")) : [
          for op, actions in ops : actions if !startswith(op, "_")
        ] if type != "_about"
      ])),
      toset(flatten([for s in jsondecode(aws_iam_role_policy.e2e.policy).Statement : flatten([s.Action]) if s.Effect == "Allow"]))
    )) == 0
    error_message = "The e2e role lacks actions the stack needs: ${join(", ", sort(setsubtract(toset(flatten([for type, ops in jsondecode(file("stack-permissions.json")) : [for op, actions in ops : actions if !startswith(op, "_")] if type != "_about"])), toset(flatten([for s in jsondecode(aws_iam_role_policy.e2e.policy).Statement : flatten([s.Action]) if s.Effect == "Allow"])))))}."
  }
  assert {
    condition = anytrue([
      for s in jsondecode(aws_iam_role_policy.e2e.policy).Statement :
      s.Effect == "Allow" && s.Resource == "*" && contains(s.Action, "logs:CreateLogGroup") && contains(s.Action, "logs:DescribeLogGroups") && contains(s.Action, "logs:CreateLogDelivery")
    ])
    error_message = "Turning on an HTTP API's access logging needs logs:CreateLogGroup, logs:DescribeLogGroups and the log-delivery actions on * (AWS's HTTP API logging guide)."
  }
}
