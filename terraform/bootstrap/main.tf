data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  e2e_role_name = "github-e2e-${var.stack_prefix}"
  account       = data.aws_caller_identity.current.account_id
  partition     = data.aws_partition.current.partition
  github        = "token.actions.githubusercontent.com"

  oidc_provider_arn = var.create_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : "arn:${local.partition}:iam::${local.account}:oidc-provider/${local.github}"
}

################################################################################
# The state bucket: versioned, encrypted, private, TLS only
################################################################################

# Not force_destroy: a bucket that holds state cannot be deleted by a destroy.
resource "aws_s3_bucket" "state" {
  bucket = var.state_bucket_name
}

resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id

  versioning_configuration {
    status = "Enabled"
  }
}

# Versioning keeps every state an apply overwrote, and every lock: use_lockfile
# writes <key>.tflock and deletes it on each plan and apply, which in a versioned
# bucket leaves a noncurrent lock version and a delete marker every time. Old
# versions go after var.state_noncurrent_days (the newest
# var.state_noncurrent_versions of each state stay whatever their age), then the
# delete markers left with nothing behind them, and unfinished uploads.
resource "aws_s3_bucket_lifecycle_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    id     = "expire-old-state-and-lock-versions"
    status = "Enabled"
    filter {}

    noncurrent_version_expiration {
      noncurrent_days           = var.state_noncurrent_days
      newer_noncurrent_versions = var.state_noncurrent_versions
    }
  }

  rule {
    id     = "remove-expired-delete-markers-and-uploads"
    status = "Enabled"
    filter {}

    expiration {
      expired_object_delete_marker = true
    }
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  # S3 applies lifecycle rules to a versioned bucket only once versioning is on.
  depends_on = [aws_s3_bucket_versioning.state]
}

# SSE-KMS with the AWS-managed key: the state holds no secret (they are write-only),
# and a customer-managed key would add a key policy to keep right for no gain here.
#tfsec:ignore:aws-s3-encryption-customer-key
resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "aws:kms"
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket = aws_s3_bucket.state.id

  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_policy" "state" {
  bucket = aws_s3_bucket.state.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "TLSOnly"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.state.arn, "${aws_s3_bucket.state.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })

  depends_on = [aws_s3_bucket_public_access_block.state]
}

################################################################################
# GitHub's OIDC provider, and the role the e2e workflow assumes
################################################################################

resource "aws_iam_openid_connect_provider" "github" {
  count = var.create_oidc_provider ? 1 : 0

  url            = "https://${local.github}"
  client_id_list = ["sts.amazonaws.com"]
}

# Named outside the prefix it may manage (role/<stack_prefix>*): a name under it
# would let the role rewrite its own policy, trust and boundary, and so grant
# itself anything. An explicit deny on its own ARN says the same twice.
resource "aws_iam_role" "e2e" {
  name                 = local.e2e_role_name
  description          = "Assumed by ${var.github_repository}'s e2e workflow (environment ${var.github_environment}) to deploy and test the sandbox stack."
  max_session_duration = 7200
  # Trust: GitHub's OIDC tokens for this repository's jobs in this environment
  # alone; not other repositories, branches without the environment, or forks.
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "GitHubActionsE2E"
      Effect    = "Allow"
      Principal = { Federated = local.oidc_provider_arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringEquals = {
          "${local.github}:aud" = "sts.amazonaws.com"
          "${local.github}:sub" = "repo:${var.github_repository}:environment:${var.github_environment}"
        }
      }
    }]
  })
}

# The resource wildcards are name prefixes (each test stack's name carries a random
# suffix) and the few actions that take no narrower resource; see permissions.tf.
#tfsec:ignore:aws-iam-no-policy-wildcards
resource "aws_iam_role_policy" "e2e" {
  name   = "sandbox-stack"
  role   = aws_iam_role.e2e.id
  policy = jsonencode({ Version = "2012-10-17", Statement = local.e2e_statements })
}

# The permissions boundary every role the e2e role creates must carry (a condition
# of its iam:CreateRole and iam:PutRolePolicy): whatever policy such a role is
# given, it can do no more than the sandbox stack's roles need: write its own
# function's logs, read the stack's parameters and write its sender ranges
# (decrypting through SSM), invoke the stack's functions. So a workflow run cannot mint a role with more power
# than that and pass it to Lambda.
#tfsec:ignore:aws-iam-no-policy-wildcards
resource "aws_iam_policy" "sandbox_boundary" {
  name        = "${local.e2e_role_name}-boundary"
  description = "Permissions boundary of the roles the sandbox stack's e2e runs create: at most what the stack's functions and schedule need."
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "TheStacksFunctionLogs"
        Effect   = "Allow"
        Action   = ["logs:CreateLogStream", "logs:PutLogEvents"]
        Resource = "${local.arn}:logs:${local.region}:${local.account}:log-group:/aws/lambda/${local.prefix}*:*"
      },
      {
        # The watchdog's reconciliation queries the receiver's log group.
        Sid      = "QueryTheStacksLogs"
        Effect   = "Allow"
        Action   = ["logs:StartQuery"]
        Resource = ["${local.arn}:logs:${local.region}:${local.account}:log-group:/aws/lambda/${local.prefix}*", "${local.arn}:logs:${local.region}:${local.account}:log-group:/aws/lambda/${local.prefix}*:*"]
      },
      {
        # No resource-level permissions: StartQuery decides the group.
        Sid      = "ReadQueryResults"
        Effect   = "Allow"
        Action   = ["logs:GetQueryResults"]
        Resource = "*"
      },
      {
        # The watchdog also writes the sender ranges the receiver reads.
        Sid      = "TheStacksParameters"
        Effect   = "Allow"
        Action   = ["ssm:GetParameter", "ssm:PutParameter"]
        Resource = "${local.arn}:ssm:${local.region}:${local.account}:parameter/${local.prefix}*"
      },
      {
        Sid       = "DecryptThroughSSMOnly"
        Effect    = "Allow"
        Action    = ["kms:Decrypt"]
        Resource  = "*"
        Condition = { StringLike = { "kms:ViaService" = "ssm.*.amazonaws.com" } }
      },
      {
        Sid      = "InvokeTheStacksFunctions"
        Effect   = "Allow"
        Action   = ["lambda:InvokeFunction"]
        Resource = "${local.arn}:lambda:${local.region}:${local.account}:function:${local.prefix}*"
      },
    ]
  })
}
