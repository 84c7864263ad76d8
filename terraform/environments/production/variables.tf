# What an operator gives at apply time: who hears the alarms, the token
# parameter's key in this account, and the two switches README's procedures
# turn (the rollback's watchdog, a deliberate deletion of the audit log).
# Everything else is written in main.tf.

variable "alarm_emails" {
  description = "E-mail addresses told of every alarm (each confirms the subscription AWS mails it). Ignored with alarm_topic_arn."
  type        = list(string)
  default     = []
}

variable "alarm_topic_arn" {
  description = "An existing SNS topic for the alarms (a team's on-call topic); null to create pipedrive-webhooks-alarms."
  type        = string
  default     = null
}

variable "api_token_kms_key_arn" {
  description = "ARN of the customer-managed KMS key the token parameter is encrypted with; null when it is aws/ssm. Check before the cut-over (README, Production): `aws ssm describe-parameters` shows its KeyId, and `make preflight ENV=production` compares it with this. The watchdog may decrypt with this key, through SSM, for the token alone."
  type        = string
  default     = null

  validation {
    condition     = var.api_token_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.api_token_kms_key_arn))
    error_message = "Give the key's ARN (arn:aws:kms:REGION:ACCOUNT:key/ID), not an alias: IAM grants kms:Decrypt on key ARNs."
  }
}

variable "watchdog_enabled" {
  description = "Run the watchdog, which registers a webhook again when Pipedrive deleted it. false removes it, as the cut-over's rollback does first (README, Production)."
  type        = bool
  default     = true
}

variable "log_deletion_protection" {
  description = "CloudWatch Logs' deletion protection of the audit log: while true, nothing deletes the log group (not a destroy, not the console). Set false and apply, deliberately, before a destroy that is meant to delete it."
  type        = bool
  default     = true
}
