variable "name" {
  description = "Name of the stack; the function and its schedule are named <name>-watchdog."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9-]{1,46}$", var.name))
    error_message = "The name must be 1 to 46 letters, digits or hyphens: IAM limits role names, such as <name>-watchdog-schedule, to 64 characters."
  }
}

variable "lambda_zip_path" {
  description = "Path of the watchdog's deployment zip (make build writes dist/watchdog.zip)."
  type        = string
}

variable "registration_json" {
  description = "The stack's registration as JSON, every subscription (internal/registration's Stack: url, name, subscriptions, user_id, parameter names, region, api_url): the webhook-registration module's registration_json output, given to the function whole as WEBHOOK_REGISTRATION. Pass that output, not a copy: the watchdog is then created after the registrations and destroyed before them, so it never registers a webhook that a destroy is deleting."
  type        = string

  validation {
    condition     = can(jsondecode(var.registration_json).url) && startswith(try(jsondecode(var.registration_json).auth_parameter, ""), "/") && startswith(try(jsondecode(var.registration_json).token_parameter, ""), "/")
    error_message = "The registration must be the registration module's registration_json: a JSON object with a url, and parameter names (auth_parameter, token_parameter) that are paths such as /pipedrive-webhooks/sandbox/api-token."
  }
}

variable "schedule_expression" {
  description = "How often the watchdog checks, as an EventBridge Scheduler rate() expression from 5 minutes to 6 hours. Pipedrive deletes a webhook after 3 days of failures and bans one for 30 minutes after 10: every 15 minutes repairs a deletion long before anyone misses an event, for about 3,000 invocations a month. The alarms on the checks follow the interval."
  type        = string
  default     = "rate(15 minutes)"

  validation {
    # AWS's own spelling (1 hour, 2 hours), and 5 minutes to 6 hours between checks.
    condition     = can(regex("^rate\\((1 (minute|hour)|([2-9]|[1-9][0-9]+) (minutes|hours))\\)$", var.schedule_expression)) && try(tonumber(regex("^rate\\((\\d+) (?:minutes?|hours?)\\)$", var.schedule_expression)[0]) * (strcontains(var.schedule_expression, "hour") ? 3600 : 60) >= 300 && tonumber(regex("^rate\\((\\d+) (?:minutes?|hours?)\\)$", var.schedule_expression)[0]) * (strcontains(var.schedule_expression, "hour") ? 3600 : 60) <= 21600, false)
    error_message = "Use a rate() expression from rate(5 minutes) to rate(6 hours): the alarms on the checks need a fixed interval, and a day-long one would let a deleted webhook stay gone for a day."
  }
}

variable "timeout" {
  description = "Function timeout in seconds: a check that must register again lists, creates, and lists once more, each with retries."
  type        = number
  default     = 60

  validation {
    condition     = var.timeout >= 10 && var.timeout <= 300 && floor(var.timeout) == var.timeout
    error_message = "The timeout must be a whole number of seconds from 10 to 300."
  }
}

variable "log_retention_in_days" {
  description = "How long CloudWatch Logs keeps the watchdog's records, in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "CloudWatch Logs accepts 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653 days."
  }
}

variable "log_level" {
  description = "Lowest level the watchdog logs (and Lambda keeps): DEBUG, INFO, WARN or ERROR. INFO keeps the healthy checks the dashboard counts."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARN", "ERROR"], var.log_level)
    error_message = "The log level must be DEBUG, INFO, WARN or ERROR."
  }
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key of the log group and of the two SSM parameters; null for AWS-managed keys."
  type        = string
  default     = null
}

variable "token_kms_key_arn" {
  description = "KMS key the API token's parameter is encrypted with when it is a customer-managed key, not aws/ssm (a parameter made outside this stack may be; `aws ssm describe-parameters` shows its KeyId). Its role may then decrypt with it, through SSM, for that parameter only. null: aws/ssm, or kms_key_arn."
  type        = string
  default     = null

  validation {
    condition     = var.token_kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/[A-Za-z0-9-]+$", var.token_kms_key_arn))
    error_message = "Give the key's ARN (arn:aws:kms:REGION:ACCOUNT:key/ID), not an alias or a bare id: IAM grants kms:Decrypt on key ARNs."
  }
}

variable "sender_ranges" {
  description = "Where the watchdog keeps Pipedrive's published webhook source ranges (the receiver module's sender_ranges_parameter_name), and where it downloads them from: `url` empty means Pipedrive's published JSON. Null: no refresh."
  type = object({
    parameter_name = string
    url            = optional(string, "")
  })
  default = null

  validation {
    condition     = var.sender_ranges == null || (startswith(try(var.sender_ranges.parameter_name, ""), "/") && (try(var.sender_ranges.url, "") == "" || startswith(try(var.sender_ranges.url, ""), "https://")))
    error_message = "The parameter name must start with / and the URL, when given, with https://."
  }
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}

variable "permissions_boundary_arn" {
  description = "Managed policy set as the permissions boundary of every IAM role the module creates; null for none. The sandbox's e2e role may create roles only with its boundary (terraform/bootstrap)."
  type        = string
  default     = null

  validation {
    condition     = var.permissions_boundary_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:policy/.+$", var.permissions_boundary_arn))
    error_message = "Give the managed policy's ARN (arn:aws:iam::ACCOUNT:policy/NAME)."
  }
}
