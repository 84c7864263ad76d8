variable "name" {
  description = "Name of the stack: the function, the API, the log groups, the parameters, the watchdog (<name>-watchdog) and the webhook."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9-]{1,46}$", var.name))
    error_message = "The name must be 1 to 46 letters, digits or hyphens: IAM limits role names, such as <name>-watchdog-schedule, to 64 characters."
  }
}

variable "lambda_zip_path" {
  description = "Path of the receiver's deployment zip (make build writes dist/receiver.zip), relative to the root module."
  type        = string

  validation {
    condition     = endswith(var.lambda_zip_path, ".zip")
    error_message = "The deployment package must be a .zip file (run `make build`)."
  }
}

variable "watchdog_zip_path" {
  description = "Path of the watchdog's deployment zip (make build writes dist/watchdog.zip), relative to the root module."
  type        = string

  validation {
    condition     = endswith(var.watchdog_zip_path, ".zip")
    error_message = "The deployment package must be a .zip file (run `make build`)."
  }
}

variable "secret_tool_command" {
  description = "How to run scripts/ssm-secret, which writes the basic-auth credentials to their parameter (see the webhook-receiver module's secret_tool_command), relative to the root module."
  type        = string
}

variable "log_retention_in_days" {
  description = "Retention of the function's, the API's and the watchdog's logs, in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "CloudWatch Logs accepts 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653 days."
  }
}

variable "log_deletion_protection" {
  description = "CloudWatch Logs' deletion protection of the audit log (the function's log group): while true, nothing deletes it (not a destroy, not the console)."
  type        = bool
  default     = false
}

variable "mask_personal_data" {
  description = "Mask the personal data (e-mail addresses, phone numbers, postal addresses, names) in the audit log for everyone without logs:Unmask."
  type        = bool
  default     = false
}

variable "masking_findings_destination" {
  description = "Where the masking reports its findings (never the values): one of an existing log group's name, an S3 bucket's or a Firehose stream's; null for none."
  type = object({
    log_group       = optional(string)
    s3_bucket       = optional(string)
    firehose_stream = optional(string)
  })
  default = null
}

variable "webhook_auth_version" {
  description = "Bump to rotate the basic-auth password and re-register the webhook with it."
  type        = number
  default     = 1

  validation {
    condition     = var.webhook_auth_version >= 1 && floor(var.webhook_auth_version) == var.webhook_auth_version
    error_message = "The version must be a whole number >= 1."
  }
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
  description = "Where the watchdog downloads Pipedrive's webhook source ranges from; empty for Pipedrive's published JSON."
  type        = string
  default     = ""

  validation {
    condition     = var.sender_ranges_url == "" || startswith(var.sender_ranges_url, "https://")
    error_message = "The URL must be https://."
  }
}

variable "permissions_boundary_arn" {
  description = "Managed policy set as the permissions boundary of every IAM role of the stack; null for none."
  type        = string
  default     = null

  validation {
    condition     = var.permissions_boundary_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:policy/.+$", var.permissions_boundary_arn))
    error_message = "Give the managed policy's ARN (arn:aws:iam::ACCOUNT:policy/NAME)."
  }
}

variable "register_webhook" {
  description = "Register the webhook with Pipedrive on apply (and delete it on destroy). Without it there is no watchdog either."
  type        = bool
  default     = true
}

variable "webhook" {
  description = "The webhooks' options, passed to the webhook-registration module as they are (its README lists them: subscriptions, name, user_id, api_url); left-out ones take their defaults, and the name defaults to the stack's."
  type        = any
  default     = {}
  nullable    = false
}

variable "token_parameter_name" {
  description = "SSM SecureString of the Pipedrive API token, read by the registration tool and the watchdog, never written here. Pass it from whatever writes the parameter, when something does, so that a destroy deletes the webhook before the parameter."
  type        = string

  validation {
    condition     = can(regex("^/[A-Za-z0-9_.\\-/]+$", var.token_parameter_name))
    error_message = "The parameter name must be a path such as /team/pipedrive/api-token."
  }
}

variable "token_kms_key_arn" {
  description = "Customer-managed KMS key of the token's parameter, when it has one (not aws/ssm and not the stack's): the watchdog may decrypt with it, through SSM, for the token alone. null for none."
  type        = string
  default     = null

  validation {
    condition     = var.token_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.token_kms_key_arn))
    error_message = "Give the key's ARN (arn:aws:kms:REGION:ACCOUNT:key/ID), not an alias: IAM grants kms:Decrypt on key ARNs."
  }
}

variable "retire_webhook_ids" {
  description = "Webhooks the stack takes over, deleted once its own exists. Ids already gone are no error."
  type        = list(number)
  default     = []
}

variable "registration_tool_command" {
  description = "How to run the registration tool, relative to the root module: the roots give this repository's scripts/pipedrive-webhook/run (see the webhook-registration module's tool_command)."
  type        = string
}

variable "watchdog_enabled" {
  description = "Run the watchdog: a check of the webhook every watchdog_schedule, which registers it again when Pipedrive deleted it. Needs register_webhook."
  type        = bool
  default     = true
}

variable "watchdog_schedule" {
  description = "How often the watchdog checks: an EventBridge Scheduler rate() expression from rate(5 minutes) to rate(6 hours)."
  type        = string
  default     = "rate(15 minutes)"
}

variable "alarm_emails" {
  description = "E-mail addresses told of every alarm (each confirms the subscription AWS mails it). Ignored with alarm_topic_arn."
  type        = list(string)
  default     = []
}

variable "alarm_topic_arn" {
  description = "An existing SNS topic for the alarms; null to create <name>-alarms."
  type        = string
  default     = null
}

variable "reconciliation" {
  description = "Reconciliation of the audit log with Pipedrive after each watchdog check (README, Operations: reconciliation): `enabled`, the share of the company's daily API token budget it may spend (`budget_share` of 30,000 x `plan_multiplier` x `seats`: set the last two to the company's Pipedrive plan and paid seats), and the watchdog's timeout while it does (seconds, at most 300)."
  type = object({
    enabled         = optional(bool, true)
    budget_share    = optional(number, 0.05)
    plan_multiplier = optional(number, 1)
    seats           = optional(number, 1)
    timeout         = optional(number, 120)
  })
  default  = {}
  nullable = false
}
