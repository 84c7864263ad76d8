################################################################################
# Personal data in the audit log: masked for everyone without logs:Unmask
################################################################################

# Pipedrive's payloads carry people's names, e-mail addresses, phone numbers and
# postal addresses (persons, organizations, deal contacts), and the record keeps
# the payload. CloudWatch Logs finds the managed data identifiers on ingestion and
# masks them at every egress: the console, Logs Insights, metric filters,
# subscriptions and exports. The metric filters, saved queries and dashboard read
# only ids, actions, kinds and statuses (test/masking_test.go checks it), so they
# count the same with the policy as without.
locals {
  # At most one destination (the variable's validation); {} reports none.
  masking_findings_destination = merge(
    try({ CloudWatchLogs = { LogGroup = coalesce(var.masking_findings_destination.log_group) } }, {}),
    try({ S3 = { Bucket = coalesce(var.masking_findings_destination.s3_bucket) } }, {}),
    try({ Firehose = { DeliveryStream = coalesce(var.masking_findings_destination.firehose_stream) } }, {}),
  )

  # The grammar CloudWatch Logs requires: one Audit statement (with a
  # FindingsDestination, {} for none) and one Deidentify statement with an empty
  # MaskConfig, both with the same DataIdentifier list.
  data_protection_policy = {
    Name        = "${var.name}-personal-data"
    Description = "Masks personal data in the Pipedrive webhook audit log of ${var.name}."
    Version     = "2021-06-01"
    Statement = [
      {
        Sid            = "AuditPersonalData"
        DataIdentifier = var.masked_data_identifiers
        Operation      = { Audit = { FindingsDestination = local.masking_findings_destination } }
      },
      {
        Sid            = "MaskPersonalData"
        DataIdentifier = var.masked_data_identifiers
        Operation      = { Deidentify = { MaskConfig = {} } }
      },
    ]
  }
}

resource "aws_cloudwatch_log_data_protection_policy" "personal_data" {
  count = var.mask_personal_data ? 1 : 0

  log_group_name  = module.function.log_group_name
  policy_document = jsonencode(local.data_protection_policy)

  lifecycle {
    precondition {
      condition     = try(var.masking_findings_destination.log_group, null) != module.function.log_group_name
      error_message = "The findings must go to another log group than the audit log itself."
    }
  }
}

# Whoever holds logs:Unmask on the log group sees the originals (GetLogEvents and
# FilterLogEvents with unmask, Logs Insights' unmask command). The stack grants it
# to nobody: this policy is the one, named grant, for a person or role an
# organisation chooses to attach it to (a break-glass or data-protection role).
# Note that wildcard grants such as AdministratorAccess include logs:Unmask too.
data "aws_iam_policy_document" "unmask" {
  count = var.mask_personal_data ? 1 : 0

  statement {
    sid       = "SeeTheAuditLogUnmasked"
    actions   = ["logs:Unmask"]
    resources = [module.function.log_group_arn, "${module.function.log_group_arn}:*"]
  }
}

resource "aws_iam_policy" "unmask" {
  count = var.mask_personal_data ? 1 : 0

  name        = "${var.name}-unmask-audit-log"
  description = "Lets its holder see the personal data masked in the audit log ${module.function.log_group_name}. Attached by the stack to nobody."
  policy      = data.aws_iam_policy_document.unmask[0].json
  tags        = local.tags
}
