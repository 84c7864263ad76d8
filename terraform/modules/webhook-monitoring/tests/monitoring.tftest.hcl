# Plan-and-apply tests with a mocked AWS provider: they run offline, and unchanged
# against the real provider. Run from the module: tofu test (or terraform test).
# test/monitoring_test.go checks the rest offline: each metric filter against the
# records the code writes, and each metric on the dashboard against those the stack
# produces.

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
  target = aws_sns_topic.alarms
  values = { arn = "arn:aws:sns:us-east-1:123456789012:pdw-test-alarms" }
}

variables {
  name = "pdw-test"
  receiver = {
    function_name         = "pdw-test"
    function_timeout      = 5
    log_group_name        = "/aws/lambda/pdw-test"
    access_log_group_name = "/aws/vendedlogs/apigateway/pdw-test"
    api_id                = "abc123"
    stage_name            = "$default"
  }
  watchdog = {
    function_name  = "pdw-test-watchdog"
    log_group_name = "/aws/lambda/pdw-test-watchdog"
  }
  alarm_emails = ["oncall@example.com"]
}

run "every_alarm_reaches_a_person" {
  command = apply

  assert {
    condition = toset(keys(aws_cloudwatch_metric_alarm.this)) == toset([
      "function-errors", "function-throttles", "function-duration", "api-5xx", "api-throttled", "unauthorized-surge", "receiver-errors", "missed-changes",
      "watchdog-unhealthy", "watchdog-reregistered", "watchdog-blind", "watchdog-errors", "watchdog-silent", "watchdog-sender-ranges-stale", "watchdog-deleted",
    ])
    error_message = "Every failure the issue names has its alarm."
  }
  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.this : toset(a.alarm_actions) == toset(["arn:aws:sns:us-east-1:123456789012:pdw-test-alarms"])])
    error_message = "Every alarm notifies the topic when it fires."
  }
  assert {
    condition     = aws_sns_topic_subscription.email["oncall@example.com"].protocol == "email" && aws_sns_topic_subscription.email["oncall@example.com"].topic_arn == aws_sns_topic.alarms[0].arn
    error_message = "The e-mail address is subscribed to the topic."
  }
  assert {
    condition     = alltrue([for k, a in aws_cloudwatch_metric_alarm.this : a.treat_missing_data == (k == "watchdog-silent" ? "missing" : "notBreaching")])
    error_message = "A quiet night is no alarm: missing data is not breaching, and for the watchdog's silence it is missing (INSUFFICIENT_DATA)."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.this["function-duration"].threshold == 4000 && aws_cloudwatch_metric_alarm.this["function-duration"].statistic == "Maximum"
    error_message = "The duration alarm fires at 80% of the receiver's timeout."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.this["unauthorized-surge"].threshold == 10 && aws_cloudwatch_metric_alarm.this["watchdog-blind"].evaluation_periods == 4 && aws_cloudwatch_metric_alarm.this["watchdog-blind"].period == 900
    error_message = "A surge is 10 401s in 5 minutes; the watchdog is blind after an hour of unknowns, not at the first."
  }
  assert {
    condition = alltrue([
      for a in aws_cloudwatch_metric_alarm.this : contains(keys(aws_cloudwatch_log_metric_filter.this), a.metric_name)
      if a.namespace == "PipedriveWebhooks/pdw-test"
    ])
    error_message = "An alarm on the stack's namespace watches a metric one of its filters produces."
  }
  assert {
    condition = alltrue([
      for a in aws_cloudwatch_metric_alarm.this :
      a.dimensions == null ? try(aws_cloudwatch_log_metric_filter.this[a.metric_name].metric_transformation[0].dimensions, null) == null : toset(keys(a.dimensions)) == toset(keys(aws_cloudwatch_log_metric_filter.this[a.metric_name].metric_transformation[0].dimensions))
      if a.namespace == "PipedriveWebhooks/pdw-test"
    ])
    error_message = "An alarm on the stack's namespace uses exactly the dimensions its filter publishes."
  }
}

# The first apply must page nobody. Before issue 21 the watchdog's silence counted
# missing data as breaching (ALARM before the schedule's first run) and every
# alarm sent OK actions, one e-mail each as the new alarms settled from
# INSUFFICIENT_DATA into OK.
run "a_new_stack_is_quiet" {
  command = apply

  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.this : length(a.ok_actions) == 0])
    error_message = "No alarm sends OK notices: CloudWatch cannot tell a new alarm settling into OK from a recovery."
  }
  assert {
    condition     = alltrue([for a in aws_cloudwatch_metric_alarm.this : a.treat_missing_data != "breaching"])
    error_message = "No alarm may count missing data as breaching: a new stack has no data yet."
  }
  assert {
    condition = alltrue([
      for k, a in aws_cloudwatch_metric_alarm.this :
      toset(a.insufficient_data_actions) == (k == "watchdog-silent" ? toset(["arn:aws:sns:us-east-1:123456789012:pdw-test-alarms"]) : toset([]))
    ])
    error_message = "The watchdog's silence notifies when its invocations stop (INSUFFICIENT_DATA); no other alarm does."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.this["watchdog-silent"].treat_missing_data == "missing" && aws_cloudwatch_metric_alarm.this["watchdog-silent"].comparison_operator == "LessThanThreshold"
    error_message = "The watchdog's silence waits for data: missing data is missing, not breaching."
  }
}

run "metrics" {
  command = apply

  assert {
    condition = toset(keys(aws_cloudwatch_log_metric_filter.this)) == toset([
      "Events", "RetriedDeliveries", "RejectedBodies", "UnauthorizedRequests", "UnauthorizedByReason", "ReceiverErrors", "ColdStarts", "DeliveriesOutsideSenderRanges", "ThrottledRequests", "WatchdogChecks", "SenderRangeRefreshes", "SenderRangesStale", "WatchdogDeletions",
      "MissedChanges", "MissedChangesByEntity", "ReconciliationRuns",
    ])
    error_message = "The stack publishes every metric the dashboard and the alarms read."
  }
  assert {
    condition     = aws_cloudwatch_log_metric_filter.this["ThrottledRequests"].log_group_name == "/aws/vendedlogs/apigateway/pdw-test" && aws_cloudwatch_log_metric_filter.this["WatchdogChecks"].log_group_name == "/aws/lambda/pdw-test-watchdog" && aws_cloudwatch_log_metric_filter.this["Events"].log_group_name == "/aws/lambda/pdw-test"
    error_message = "Each filter reads the log group its records are written to."
  }
  assert {
    condition     = alltrue([for f in aws_cloudwatch_log_metric_filter.this : f.metric_transformation[0].namespace == "PipedriveWebhooks/pdw-test" && f.metric_transformation[0].value == "1"])
    error_message = "Each metric counts records in the stack's own namespace."
  }
}

run "dashboard" {
  command = apply

  assert {
    condition     = aws_cloudwatch_dashboard.this.dashboard_name == "pdw-test" && length(jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets) == 16
    error_message = "One dashboard per stack, with the watchdog's widgets."
  }
  assert {
    condition     = length([for w in jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets : w if w.type == "log"]) == 6
    error_message = "The saved Logs Insights queries are on the dashboard."
  }
  assert {
    condition     = toset(keys(aws_cloudwatch_query_definition.this)) == toset(["deals-that-changed-stage", "won-deals-per-day", "rejected-deliveries", "events-per-subscription", "watchdog-checks", "missed-changes"])
    error_message = "The queries are saved too."
  }
}

run "alarms_follow_the_watchdogs_interval" {
  command = plan

  variables {
    watchdog = {
      function_name    = "pdw-test-watchdog"
      log_group_name   = "/aws/lambda/pdw-test-watchdog"
      interval_seconds = 3600
    }
  }

  assert {
    condition     = alltrue([for k, a in aws_cloudwatch_metric_alarm.this : a.period == (startswith(k, "watchdog-") ? 3600 : 300)])
    error_message = "The watchdog's alarms count over its interval, the receiver's over 5 minutes."
  }
}

run "rejects_a_watchdog_interval_cloudwatch_cannot_evaluate" {
  command = plan

  variables {
    watchdog = {
      function_name    = "pdw-test-watchdog"
      log_group_name   = "/aws/lambda/pdw-test-watchdog"
      interval_seconds = 86400
    }
  }

  expect_failures = [var.watchdog]
}

run "without_a_watchdog" {
  command = apply

  variables {
    watchdog = null
  }

  assert {
    condition     = !contains(keys(aws_cloudwatch_metric_alarm.this), "watchdog-silent") && !contains(keys(aws_cloudwatch_log_metric_filter.this), "WatchdogChecks") && length(jsondecode(aws_cloudwatch_dashboard.this.dashboard_body).widgets) == 14
    error_message = "Without a watchdog there is no watchdog alarm, metric or widget."
  }
}

run "a_given_topic" {
  command = apply

  variables {
    alarm_topic_arn = "arn:aws:sns:us-east-1:123456789012:oncall"
  }

  assert {
    condition     = length(aws_sns_topic.alarms) == 0 && length(aws_sns_topic_subscription.email) == 0 && alltrue([for a in aws_cloudwatch_metric_alarm.this : toset(a.alarm_actions) == toset(["arn:aws:sns:us-east-1:123456789012:oncall"])])
    error_message = "A given topic is used as it is."
  }
}

run "topic_policy" {
  command = plan

  assert {
    condition     = toset(one(data.aws_iam_policy_document.alarms[0].statement[0].principals).identifiers) == toset(["cloudwatch.amazonaws.com"]) && toset(data.aws_iam_policy_document.alarms[0].statement[0].actions) == toset(["sns:Publish"])
    error_message = "Only CloudWatch publishes to the topic."
  }
  assert {
    condition     = contains([for c in data.aws_iam_policy_document.alarms[0].statement[0].condition : one(c.values) if c.variable == "aws:SourceArn"], "arn:aws:cloudwatch:us-east-1:123456789012:alarm:pdw-test-*")
    error_message = "Only this stack's alarms publish to the topic."
  }
}

run "rejects_a_bad_email" {
  command = plan

  variables {
    alarm_emails = ["not-an-address"]
  }

  expect_failures = [var.alarm_emails]
}

# Names: with the longest name the module accepts, every alarm, metric filter, saved
# query, the topic and the dashboard stay within AWS's limits (the provider validates
# them during plan), and one character more is refused first.
run "longest_name_fits_every_aws_limit" {
  command = plan

  variables {
    name = "n${join("", [for i in range(199) : "x"])}"
  }

  assert {
    condition     = length(aws_cloudwatch_dashboard.this.dashboard_name) == 200 && alltrue([for a in aws_cloudwatch_metric_alarm.this : length(a.alarm_name) <= 255])
    error_message = "The longest name must build alarm and dashboard names within CloudWatch's 255 characters."
  }
  assert {
    condition     = length(aws_sns_topic.alarms[0].name) <= 256
    error_message = "The topic's name must stay within SNS's 256 characters."
  }
}

run "one_character_more_is_refused" {
  command = plan

  variables {
    name = "n${join("", [for i in range(200) : "x"])}"
  }

  expect_failures = [var.name]
}
