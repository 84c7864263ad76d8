variable "name" {
  description = "Name of the stack: alarms, filters and the dashboard are named after it, and its metrics go to the PipedriveWebhooks/<name> namespace."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9-]{1,200}$", var.name))
    error_message = "The name must be letters, digits or hyphens."
  }
}

variable "receiver" {
  description = "The receiver, as the webhook-receiver module's outputs give it."
  type = object({
    function_name         = string
    function_timeout      = number
    log_group_name        = string
    access_log_group_name = string
    api_id                = string
    stage_name            = string
  })
}

variable "watchdog" {
  description = "The watchdog, as the webhook-watchdog module's outputs give it (interval_seconds: between two checks, 900 by default); null for a stack without one."
  type = object({
    function_name    = string
    log_group_name   = string
    interval_seconds = optional(number, 900)
  })

  validation {
    condition     = var.watchdog == null || try(var.watchdog.interval_seconds >= 300 && var.watchdog.interval_seconds <= 21600 && var.watchdog.interval_seconds % 60 == 0, false)
    error_message = "The watchdog's interval must be whole minutes from 5 minutes to 6 hours (CloudWatch evaluates its alarms over at most a day)."
  }
  default = null
}

variable "alarm_topic_arn" {
  description = "SNS topic every alarm notifies when it fires (watchdog-silent also when its data stops); null to create <name>-alarms."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_topic_arn == null || can(regex("^arn:aws[a-z-]*:sns:[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_-]+$", coalesce(var.alarm_topic_arn, "-")))
    error_message = "Give an SNS topic ARN, such as arn:aws:sns:us-east-1:123456789012:oncall."
  }
}

variable "alarm_emails" {
  description = "E-mail addresses subscribed to the created topic (each must confirm the subscription AWS mails it). Ignored with alarm_topic_arn."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.alarm_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "Each entry must be an e-mail address."
  }
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key for the created topic; its key policy must let cloudwatch.amazonaws.com use it (CloudWatch cannot publish to a topic under the AWS-managed aws/sns key). null for an unencrypted topic: alarm notifications carry names and counts, no secrets."
  type        = string
  default     = null
}

variable "unauthorized_threshold" {
  description = "401s in 5 minutes that make a surge. Pipedrive bans a webhook after 10 failed deliveries, and a stranger probing the URL sends a few: 10 catches wrong credentials before a ban and ignores a probe."
  type        = number
  default     = 10

  validation {
    condition     = var.unauthorized_threshold >= 1 && floor(var.unauthorized_threshold) == var.unauthorized_threshold
    error_message = "The threshold must be a whole number of at least 1."
  }
}

variable "tags" {
  description = "Tags for every resource that takes them."
  type        = map(string)
  default     = {}
}
