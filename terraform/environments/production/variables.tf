variable "region" {
  description = "AWS region of the live system (the seed's: us-east-1)."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "The region must look like us-east-1."
  }
}

variable "name" {
  description = "Name of the stack: the function, the API, the log group, the parameters and the webhook."
  type        = string
  default     = "pipedrive-webhooks"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,40}$", var.name))
    error_message = "The name must be 3 to 41 lower-case letters, digits or hyphens, starting with a letter."
  }
}

variable "lambda_zip_path" {
  description = "Deployment zip from `make build`; null for the repository's dist/receiver.zip."
  type        = string
  default     = null
}

variable "log_retention_in_days" {
  description = "Retention of the audit log: 400 days keeps a full year and a quarter for year-end reviews."
  type        = number
  default     = 400
}

variable "api_token_parameter_name" {
  description = "The existing SSM SecureString holding the Pipedrive API token (the seed's), read by the registration tool; never created or overwritten here."
  type        = string
  default     = "/dissertation-editor/pipedrive/api-token"

  validation {
    condition     = can(regex("^/[A-Za-z0-9_.\\-/]+$", var.api_token_parameter_name))
    error_message = "The parameter name must be a path such as /dissertation-editor/pipedrive/api-token."
  }
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

variable "retire_webhook_ids" {
  description = "Webhooks this stack takes over, deleted once its own exists: the seed's hand-made v1 webhook 1345147. Ids already gone are no error."
  type        = list(number)
  default     = [1345147]
}

variable "webhook_auth_version" {
  description = "Bump to rotate the basic-auth password and re-register the webhook with it."
  type        = number
  default     = 1
}

variable "alarm_emails" {
  description = "E-mail addresses told of every alarm (each confirms the subscription AWS mails it). Ignored with alarm_topic_arn."
  type        = list(string)
  default     = []
}

variable "alarm_topic_arn" {
  description = "An existing SNS topic for the alarms (a team's on-call topic); null to create <name>-alarms."
  type        = string
  default     = null
}

variable "watchdog_enabled" {
  description = "Run the watchdog: a check of the webhook every watchdog_schedule, which registers it again when Pipedrive deleted it."
  type        = bool
  default     = true
}

variable "watchdog_schedule" {
  description = "How often the watchdog checks: an EventBridge Scheduler rate() expression from rate(5 minutes) to rate(6 hours). Its alarms follow the interval."
  type        = string
  default     = "rate(15 minutes)"
}

variable "watchdog_zip_path" {
  description = "Path of the watchdog's deployment zip; null for dist/watchdog.zip (make build writes it)."
  type        = string
  default     = null
}

variable "pipedrive_api_url" {
  description = "Pipedrive API base URL; null for Pipedrive's own."
  type        = string
  default     = null
}

variable "registration_tool_command" {
  description = "How to run the registration tool; null for this repository's scripts/pipedrive-webhook/run."
  type        = string
  default     = null
}

variable "log_deletion_protection" {
  description = "CloudWatch Logs' deletion protection of the audit log: while true, nothing deletes the log group (not a destroy, not the console). Set false and apply, deliberately, before a destroy that is meant to delete it."
  type        = bool
  default     = true
}

variable "mask_personal_data" {
  description = "Mask the personal data (e-mail addresses, phone numbers, postal addresses, names) in the audit log for everyone without logs:Unmask."
  type        = bool
  default     = true
}

variable "masking_findings_destination" {
  description = "Where the masking reports its findings (which data identifiers it found, never the values): one of an existing log group's name, an S3 bucket's or a Firehose stream's, e.g. { log_group = \"/audit/masking-findings\" }; null for none."
  type = object({
    log_group       = optional(string)
    s3_bucket       = optional(string)
    firehose_stream = optional(string)
  })
  default = null
}

variable "sender_check" {
  description = "What a delivery from outside Pipedrive's published IP ranges gets: `off`, `monitor` (logged and counted, still answered 200) or `enforce` (answered 403). The watchdog keeps the ranges fresh."
  type        = string
  default     = "monitor"

  validation {
    condition     = contains(["off", "monitor", "enforce"], var.sender_check)
    error_message = "The sender check must be off, monitor or enforce."
  }
}

variable "sender_ranges_url" {
  description = "Where the watchdog downloads Pipedrive's webhook source ranges from; empty for Pipedrive's published JSON (pipedrive/ip-ranges on GitHub)."
  type        = string
  default     = ""

  validation {
    condition     = var.sender_ranges_url == "" || startswith(var.sender_ranges_url, "https://")
    error_message = "The URL must be https://."
  }
}

variable "subscriptions" {
  description = "What the stack receives, one webhook per subscription: a list of { event_object, event_action, version } (left-out attributes: deal, *, 2.0); null for the seed's *.deal, v2. README, Configuration, has ready lists (deals and people; everything in the company)."
  type = list(object({
    event_object = optional(string)
    event_action = optional(string)
    version      = optional(string)
  }))
  default = null
}

variable "webhook_user_id" {
  description = "The Pipedrive user the webhooks are registered for: Pipedrive delivers an event only if this user may see it, so it must be an admin to receive every event. 0 for the API token's user."
  type        = number
  default     = 0

  validation {
    condition     = var.webhook_user_id >= 0 && floor(var.webhook_user_id) == var.webhook_user_id
    error_message = "The user id is a Pipedrive user's id, a whole number, or 0 for the token's user."
  }
}
