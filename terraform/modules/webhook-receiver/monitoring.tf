################################################################################
# Alarms and saved Logs Insights queries
################################################################################

locals {
  alarms = {
    function-errors = {
      description = "The webhook function failed (it answers 200 to every delivery it can decode, so any error is a bug or a timeout)."
      namespace   = "AWS/Lambda"
      metric      = "Errors"
      dimensions  = { FunctionName = aws_lambda_function.this.function_name }
    }
    function-throttles = {
      description = "Deliveries were throttled: Pipedrive retries them, and bans the webhook after 10 failures."
      namespace   = "AWS/Lambda"
      metric      = "Throttles"
      dimensions  = { FunctionName = aws_lambda_function.this.function_name }
    }
    api-5xx = {
      description = "The API answered 5xx: Pipedrive retries those deliveries and bans the webhook after 10 failures."
      namespace   = "AWS/ApiGateway"
      metric      = "5xx"
      dimensions  = { ApiId = aws_apigatewayv2_api.this.id, Stage = aws_apigatewayv2_stage.default.name }
    }
  }
}

# Any occurrence in five minutes fires: each one is a delivery Pipedrive will retry.
resource "aws_cloudwatch_metric_alarm" "this" {
  for_each = local.alarms

  alarm_name          = "${var.name}-${each.key}"
  alarm_description   = each.value.description
  namespace           = each.value.namespace
  metric_name         = each.value.metric
  dimensions          = each.value.dimensions
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  tags                = local.tags
}

locals {
  queries = {
    "deals-that-changed-stage" = <<-EOQ
      fields @timestamp, webhook.entity_id, webhook.title, webhook.previous_stage_id, webhook.stage_id
      | filter msg = "pipedrive webhook" and webhook.entity = "deal" and webhook.action = "change"
          and ispresent(webhook.previous_stage_id)
      | dedup webhook.dedup_key
      | sort @timestamp desc
    EOQ
    "won-deals-per-day"        = <<-EOQ
      filter msg = "pipedrive webhook" and webhook.entity = "deal"
          and webhook.status = "won" and ispresent(webhook.previous_status)
      | dedup webhook.dedup_key
      | stats count(*) as won, sum(webhook.value) as value by bin(1d) as day, webhook.currency
      | sort day desc
    EOQ
    "rejected-deliveries"      = <<-EOQ
      filter level in ["WARN", "ERROR"]
      | stats count(*) by msg, kind, reason
    EOQ
  }
}

resource "aws_cloudwatch_query_definition" "this" {
  for_each = local.queries

  name            = "${var.name}/${each.key}"
  log_group_names = [aws_cloudwatch_log_group.function.name]
  query_string    = each.value
}
