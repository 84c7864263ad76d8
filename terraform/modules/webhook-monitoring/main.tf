data "aws_region" "current" {}
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

locals {
  namespace = "PipedriveWebhooks/${var.name}"
  tags      = merge({ "app" = "pipedrive-webhooks" }, var.tags)
  region    = data.aws_region.current.region
}

################################################################################
# Metrics: log metric filters over the records the functions and the API write.
# The receiver makes no CloudWatch API call and its records carry no metric
# metadata: the audit record stays the only thing it writes. metrics.json is read
# by the tests too, which run each pattern over records the code writes.
################################################################################

locals {
  log_groups = {
    receiver = var.receiver.log_group_name
    access   = var.receiver.access_log_group_name
    watchdog = try(var.watchdog.log_group_name, null)
  }
  filters = merge([
    for group, metrics in jsondecode(file("${path.module}/metrics.json")) : {
      for name, m in metrics : name => merge(m, { log_group = local.log_groups[group] })
    } if local.log_groups[group] != null
  ]...)
}

resource "aws_cloudwatch_log_metric_filter" "this" {
  for_each = local.filters

  name           = "${var.name}-${each.key}"
  log_group_name = each.value.log_group
  pattern        = each.value.pattern

  metric_transformation {
    name       = each.key
    namespace  = local.namespace
    value      = "1"
    unit       = "Count"
    dimensions = try(each.value.dimensions, null)
  }
}

################################################################################
# Where alarms go: a topic, created or given, with optional e-mail subscriptions
################################################################################

# Unencrypted unless a key is given: the notifications carry alarm names and
# counts, never a secret, and CloudWatch cannot publish to a topic under the
# AWS-managed aws/sns key, only under a customer-managed key whose policy allows it.
#tfsec:ignore:aws-sns-enable-topic-encryption
resource "aws_sns_topic" "alarms" {
  count = var.alarm_topic_arn == null ? 1 : 0

  name              = "${var.name}-alarms"
  kms_master_key_id = var.kms_key_arn
  tags              = local.tags
}

data "aws_iam_policy_document" "alarms" {
  count = var.alarm_topic_arn == null ? 1 : 0

  statement {
    sid       = "CloudWatchAlarmsOfThisStackPublish"
    actions   = ["sns:Publish"]
    resources = [aws_sns_topic.alarms[0].arn]

    principals {
      type        = "Service"
      identifiers = ["cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [data.aws_caller_identity.current.account_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = ["arn:${data.aws_partition.current.partition}:cloudwatch:${local.region}:${data.aws_caller_identity.current.account_id}:alarm:${var.name}-*"]
    }
  }
}

resource "aws_sns_topic_policy" "alarms" {
  count = var.alarm_topic_arn == null ? 1 : 0

  arn    = aws_sns_topic.alarms[0].arn
  policy = data.aws_iam_policy_document.alarms[0].json
}

resource "aws_sns_topic_subscription" "email" {
  for_each = var.alarm_topic_arn == null ? toset(var.alarm_emails) : toset([])

  topic_arn = aws_sns_topic.alarms[0].arn
  protocol  = "email"
  endpoint  = each.value
}

locals {
  topic_arn = var.alarm_topic_arn != null ? var.alarm_topic_arn : aws_sns_topic.alarms[0].arn
}

################################################################################
# Alarms. Counts are summed over 5 minutes (over the watchdog's interval for its
# checks) and no data is not breaching: a quiet night is no alarm.
#
# A new stack must page nobody. Every alarm starts in INSUFFICIENT_DATA and
# settles into OK at its first evaluation, and CloudWatch's OK actions cannot tell
# that settling from a recovery: OK notices would greet each new stack with one
# e-mail per alarm. So no alarm sends one: an ALARM e-mail names its runbook, and
# the recovery shows on the dashboard's alarm widget (for the watchdog's alarms,
# also in its next record, make watchdog). The watchdog's silence is the one
# alarm on missing data; counting missing data as breaching fired it before the
# schedule's first run. It treats missing data as missing instead: it stays
# INSUFFICIENT_DATA, quietly, until the watchdog first runs, goes OK then, and
# notifies when invocations stop for its whole evaluation range, as the move back
# to INSUFFICIENT_DATA.
################################################################################

locals {
  receiver_function = { FunctionName = var.receiver.function_name }
  api_stage         = { ApiId = var.receiver.api_id, Stage = var.receiver.stage_name }
  watchdog_function = { FunctionName = try(var.watchdog.function_name, "") }
  watchdog_period   = try(var.watchdog.interval_seconds, 900)

  receiver_alarms = {
    function-errors = {
      description = "The receiver failed an invocation (a bug or a timeout): Pipedrive retries the delivery, and bans the webhook after 10 failures."
      namespace   = "AWS/Lambda", metric = "Errors", dimensions = local.receiver_function
    }
    function-throttles = {
      description = "Lambda throttled the receiver (account or reserved concurrency): each is a failed delivery to Pipedrive."
      namespace   = "AWS/Lambda", metric = "Throttles", dimensions = local.receiver_function
    }
    function-duration = {
      description = "The receiver took over 80% of its timeout in two of the last three 5-minute periods: SSM or CloudWatch Logs is slow, and deliveries are close to failing."
      namespace   = "AWS/Lambda", metric = "Duration", dimensions = local.receiver_function
      statistic   = "Maximum", threshold = var.receiver.function_timeout * 1000 * 0.8, evaluation_periods = 3, datapoints_to_alarm = 2
    }
    api-5xx = {
      description = "The API answered 5xx: Pipedrive retries those deliveries and bans the webhook after 10 failures."
      namespace   = "AWS/ApiGateway", metric = "5xx", dimensions = local.api_stage
    }
    api-throttled = {
      description = "The API stage throttled requests (429): each is a failed delivery to Pipedrive. Raise the stage's limits if a bulk edit did it."
      namespace   = local.namespace, metric = "ThrottledRequests", dimensions = {}
    }
    unauthorized-surge = {
      description = "Many requests were refused with 401 in 5 minutes: the webhook's credentials and the receiver's disagree (a rotation that did not reach Pipedrive), or someone is guessing."
      namespace   = local.namespace, metric = "UnauthorizedRequests", dimensions = {}
      threshold   = var.unauthorized_threshold, comparison = "GreaterThanOrEqualToThreshold"
    }
    receiver-errors = {
      description = "The receiver recovered from a panic (the delivery was answered 200 and its record may be missing): a bug."
      namespace   = local.namespace, metric = "ReceiverErrors", dimensions = {}
    }
    missed-changes = {
      description = "Reconciliation found changes at Pipedrive that no delivery recorded: the audit log has a hole (a ban, a deleted webhook, a receiver down through Pipedrive's retries). Each is now recorded as a pipedrive change missed record."
      namespace   = local.namespace, metric = "MissedChanges", dimensions = {}
    }
  }

  watchdog_alarms = {
    watchdog-unhealthy = {
      description = "The webhook is banned, failing, registered with other credentials, or gone and could not be registered again. The watchdog does not repair these: see its last record."
      namespace   = local.namespace, metric = "WatchdogChecks", dimensions = { Status = "unhealthy" }, period = local.watchdog_period
    }
    watchdog-reregistered = {
      description = "The webhook was gone (deleted by Pipedrive after days of failed deliveries, or by hand) and the watchdog registered it again. Events in between were not delivered."
      namespace   = local.namespace, metric = "WatchdogChecks", dimensions = { Status = "reregistered" }, period = local.watchdog_period
    }
    watchdog-deleted = {
      description = "The watchdog deleted a webhook: a duplicate (two registrations at once, or a create whose answer was lost) or one Pipedrive listed as removed. See the record's deleted ids."
      namespace   = local.namespace, metric = "WatchdogDeletions", dimensions = {}, period = local.watchdog_period
    }
    watchdog-blind = {
      description = "Four checks in a row (an hour, every 15 minutes) the watchdog could not look: Pipedrive or SSM did not answer, or the token is wrong. Nothing is repaired meanwhile."
      namespace   = local.namespace, metric = "WatchdogChecks", dimensions = { Status = "unknown" }, period = local.watchdog_period, evaluation_periods = 4, datapoints_to_alarm = 4
    }
    watchdog-errors = {
      description = "The watchdog function failed (a bug or a timeout)."
      namespace   = "AWS/Lambda", metric = "Errors", dimensions = local.watchdog_function, period = local.watchdog_period
    }
    watchdog-sender-ranges-stale = {
      description = "The sender ranges the receiver checks deliveries against have not been confirmed against Pipedrive's published file for over a week: its download fails or is refused. The last good list stays in force."
      namespace   = local.namespace, metric = "SenderRangesStale", dimensions = {}, period = local.watchdog_period
    }
    watchdog-silent = {
      description = "The watchdog has not run for three of its intervals (45 minutes, every 15): its schedule is disabled or gone."
      namespace   = "AWS/Lambda", metric = "Invocations", dimensions = local.watchdog_function, period = local.watchdog_period, evaluation_periods = 3, datapoints_to_alarm = 3
      threshold   = 1, comparison = "LessThanThreshold", missing = "missing", notify_insufficient_data = true
    }
  }

  alarms = merge(local.receiver_alarms, { for k, v in local.watchdog_alarms : k => v if var.watchdog != null })
}

resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = "${each.value.description} Runbook: README, Operations, ${each.key}."
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = length(each.value.dimensions) == 0 ? null : each.value.dimensions
  statistic           = try(each.value.statistic, "Sum")
  period              = try(each.value.period, 300)
  evaluation_periods  = try(each.value.evaluation_periods, 1)
  datapoints_to_alarm = try(each.value.datapoints_to_alarm, 1)
  threshold           = try(each.value.threshold, 0)
  comparison_operator = try(each.value.comparison, "GreaterThanThreshold")
  treat_missing_data  = try(each.value.missing, "notBreaching")
  alarm_actions       = [local.topic_arn]
  # INSUFFICIENT_DATA is news only where missing data is the failure.
  insufficient_data_actions = try(each.value.notify_insufficient_data, false) ? [local.topic_arn] : []
  tags                      = local.tags
}

################################################################################
# Saved Logs Insights queries, and the dashboard
################################################################################

# queries/<log group>/<name>.txt: each query runs on the log group its folder names
# (receiver or watchdog), when the stack has it.
locals {
  queries = merge([
    for group in ["receiver", "watchdog"] : {
      for f in fileset("${path.module}/queries/${group}", "*.txt") : trimsuffix(f, ".txt") => {
        log_group = local.log_groups[group]
        query     = trimspace(file("${path.module}/queries/${group}/${f}"))
      }
    } if local.log_groups[group] != null
  ]...)
}

resource "aws_cloudwatch_query_definition" "this" {
  for_each = local.queries

  name            = "${var.name}/${each.key}"
  log_group_names = [each.value.log_group]
  query_string    = each.value.query
}

locals {
  # Each template variable is substituted as it is: names inside quotes, JSON
  # (the alarm list, the queries) as JSON.
  dashboard_vars = merge(
    {
      name                   = var.name
      region                 = local.region
      namespace              = local.namespace
      function_name          = var.receiver.function_name
      api_id                 = var.receiver.api_id
      stage                  = var.receiver.stage_name
      timeout_ms             = var.receiver.function_timeout * 1000
      alarm_arns             = jsonencode([for a in aws_cloudwatch_metric_alarm.this : a.arn])
      watchdog_function_name = try(var.watchdog.function_name, "")
      watchdog_period        = local.watchdog_period
    },
    { for k, q in local.queries : "query_${replace(k, "-", "_")}" => jsonencode("SOURCE '${q.log_group}' | ${q.query}") },
  )
  widgets = flatten([
    for t in concat(["dashboard"], var.watchdog == null ? [] : ["dashboard-watchdog"]) :
    jsondecode(templatefile("${path.module}/${t}.json.tftpl", local.dashboard_vars))
  ])
}

resource "aws_cloudwatch_dashboard" "this" {
  dashboard_name = var.name
  dashboard_body = jsonencode({ widgets = local.widgets })
}
