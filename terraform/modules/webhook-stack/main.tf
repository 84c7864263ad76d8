# One Pipedrive webhook stack: the receiver, its registration with Pipedrive, the
# watchdog that keeps the webhook alive, and the monitoring. The roots
# (environments/sandbox, environments/production) call it with their own names,
# retention, protection and token handling.

module "receiver" {
  source = "../webhook-receiver"

  name                     = var.name
  lambda_zip_path          = var.lambda_zip_path
  secret_tool_command      = var.secret_tool_command
  log_retention_in_days    = var.log_retention_in_days
  webhook_auth_version     = var.webhook_auth_version
  permissions_boundary_arn = var.permissions_boundary_arn
  sender_check             = var.sender_check

  # The audit log: with log_deletion_protection CloudWatch Logs refuses to delete it
  # until a person turns the protection off (README, Operations: retention and
  # deletion), and with mask_personal_data the personal data in it is masked for
  # everyone without logs:Unmask.
  log_deletion_protection      = var.log_deletion_protection
  mask_personal_data           = var.mask_personal_data
  masking_findings_destination = var.masking_findings_destination
}

module "registration" {
  source = "../webhook-registration"

  enabled     = var.register_webhook
  webhook_url = module.receiver.webhook_url
  # The options as given (the module checks them), named after the stack unless
  # they say otherwise.
  webhook             = try(merge({ name = var.name }, { for k, v in var.webhook : k => v if v != null }), var.webhook)
  auth_parameter_name = module.receiver.webhook_auth_parameter_name
  auth_version        = module.receiver.webhook_auth_version
  # Read by the tool, never created or overwritten here. Pass the name from what
  # writes the parameter, when something does: the registration is then created
  # after it and, on destroy, deletes the webhook before it goes.
  token_parameter_name = var.token_parameter_name
  aws_region           = module.receiver.region
  retire_webhook_ids   = var.retire_webhook_ids
  tool_command         = var.registration_tool_command
}

################################################################################
# Keeping the webhooks alive, and telling a person when one is not
################################################################################

# Watches what the registration registered, every subscription, and is therefore
# created after it and destroyed before it: a destroy never has a watchdog
# registering a webhook again.
module "watchdog" {
  source = "../webhook-watchdog"
  count  = var.watchdog_enabled && var.register_webhook ? 1 : 0

  name                     = var.name
  lambda_zip_path          = var.watchdog_zip_path
  registration_json        = module.registration.registration_json
  schedule_expression      = var.watchdog_schedule
  log_retention_in_days    = var.log_retention_in_days
  permissions_boundary_arn = var.permissions_boundary_arn
  # A token parameter made outside the stack may have a key of its own: the
  # watchdog may decrypt with it, through SSM, for the token alone.
  token_kms_key_arn = var.token_kms_key_arn
  sender_ranges     = { parameter_name = module.receiver.sender_ranges_parameter_name, url = var.sender_ranges_url }
  # Reconciliation reads and writes the receiver's log group, the audit log.
  reconciliation = var.reconciliation.enabled ? {
    log_group_name  = module.receiver.log_group_name
    budget_share    = var.reconciliation.budget_share
    plan_multiplier = var.reconciliation.plan_multiplier
    seats           = var.reconciliation.seats
  } : null
  timeout = var.reconciliation.enabled ? var.reconciliation.timeout : 60
}

module "monitoring" {
  source = "../webhook-monitoring"

  name            = var.name
  receiver        = module.receiver.monitoring
  watchdog        = one(module.watchdog[*].monitoring)
  alarm_topic_arn = var.alarm_topic_arn
  alarm_emails    = var.alarm_emails
}
