# The stack's parts were called from this root before the webhook-stack module
# held them.
moved {
  from = module.receiver
  to   = module.stack.module.receiver
}

moved {
  from = module.registration
  to   = module.stack.module.registration
}

moved {
  from = module.watchdog
  to   = module.stack.module.watchdog
}

moved {
  from = module.monitoring
  to   = module.stack.module.monitoring
}

# The alarms and saved queries moved from the receiver module to the monitoring one
# before that.
moved {
  from = module.receiver.aws_cloudwatch_metric_alarm.this
  to   = module.monitoring.aws_cloudwatch_metric_alarm.this
}

moved {
  from = module.receiver.aws_cloudwatch_query_definition.this
  to   = module.monitoring.aws_cloudwatch_query_definition.this
}
