variable "name" {
  description = "Name of the function, the API and everything else the module creates (also the prefix of their log groups)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,55}$", var.name))
    error_message = "The name must be 1 to 55 letters, digits, hyphens or underscores: IAM limits role names, such as <name>-function, to 64 characters."
  }
}

variable "lambda_zip_path" {
  description = "Path of the deployment zip written by `make build` (a `bootstrap` for linux/arm64)."
  type        = string

  validation {
    condition     = endswith(var.lambda_zip_path, ".zip")
    error_message = "The deployment package must be a .zip file (run `make build`)."
  }
}

variable "secret_tool_command" {
  description = "How to run scripts/ssm-secret, which generates the basic-auth password and writes it to its parameter (and deletes the parameter on destroy): this repository's scripts/ssm-secret/run, relative to the root module (\"$${path.root}/../../../scripts/ssm-secret/run\" from terraform/environments/NAME), or a built binary."
  type        = string

  validation {
    condition     = length(trimspace(var.secret_tool_command)) > 0 && !strcontains(var.secret_tool_command, "'")
    error_message = "Give the tool's path (it is run in single quotes, so it may hold no single quote)."
  }
}

variable "memory_size" {
  description = "Memory of the function in MB; the receiver needs little, and more also buys CPU for cold starts."
  type        = number
  default     = 256

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "Lambda memory must be a whole number of MB from 128 to 10240."
  }
}

variable "timeout" {
  description = "Function timeout in seconds. Pipedrive gives up on a delivery after 10 s, so it must stay below that."
  type        = number
  default     = 5

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 9 && floor(var.timeout) == var.timeout
    error_message = "The timeout must be a whole number of seconds from 1 to 9: Pipedrive's own timeout is 10 s."
  }
}

variable "reserved_concurrent_executions" {
  description = "Concurrency reserved for the function (caps what a burst of webhooks can cost); -1 for none."
  type        = number
  default     = -1

  validation {
    condition     = var.reserved_concurrent_executions == -1 || var.reserved_concurrent_executions >= 0
    error_message = "Use -1 (no reservation) or a number of executions >= 0."
  }
}

variable "log_retention_in_days" {
  description = "How long CloudWatch Logs keeps the function's and the API's logs, in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "CloudWatch Logs accepts 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653 days."
  }
}

variable "log_level" {
  description = "Lowest level the receiver logs (and Lambda keeps): DEBUG, INFO, WARN or ERROR."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARN", "ERROR"], var.log_level)
    error_message = "The log level must be DEBUG, INFO, WARN or ERROR."
  }
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key for the log groups and the SSM parameters; null for AWS-managed keys. Its key policy must let CloudWatch Logs use it."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/", var.kms_key_arn))
    error_message = "The KMS key must be given as a key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID), not an alias."
  }
}

variable "throttling_rate_limit" {
  description = "Steady-state requests per second the API stage accepts. A 429 is a failed delivery to Pipedrive (10 in a row ban the webhook for 30 minutes), so the limits must pass a bulk edit, which sends one event per edited item within seconds: 100/s after a burst of 500 passes a 1,000-deal edit delivered in 5 s. A warm receiver answers in about 2 ms, so 100/s needs 1 or 2 concurrent executions."
  type        = number
  default     = 100

  validation {
    condition     = var.throttling_rate_limit > 0
    error_message = "The rate limit must be positive."
  }
}

variable "throttling_burst_limit" {
  description = "Burst of requests the API stage accepts at once, on top of the rate (see throttling_rate_limit for the figures)."
  type        = number
  default     = 500

  validation {
    condition     = var.throttling_burst_limit > 0 && floor(var.throttling_burst_limit) == var.throttling_burst_limit
    error_message = "The burst limit must be a positive whole number."
  }
}

variable "webhook_auth_parameter_name" {
  description = "SSM SecureString for the webhook's basic-auth credentials (\"user:password\"); null for /<name>/webhook-auth."
  type        = string
  default     = null

  validation {
    condition     = var.webhook_auth_parameter_name == null || can(regex("^/[A-Za-z0-9_.\\-/]+$", coalesce(var.webhook_auth_parameter_name, "/")))
    error_message = "The parameter name must be a path such as /pipedrive-webhooks/sandbox/webhook-auth."
  }
}

variable "webhook_auth_user" {
  description = "User name Pipedrive sends with every delivery (the password is generated)."
  type        = string
  default     = "pipedrive"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{1,64}$", var.webhook_auth_user))
    error_message = "The user must be 1 to 64 letters, digits, dots, hyphens or underscores (no colon)."
  }
}

variable "webhook_auth_version" {
  description = "Bump to generate a new basic-auth password (and, in the registration module, re-register the webhook with it)."
  type        = number
  default     = 1

  validation {
    condition     = var.webhook_auth_version >= 1 && floor(var.webhook_auth_version) == var.webhook_auth_version
    error_message = "The version must be a whole number >= 1."
  }
}

variable "webhook_auth_cache_ttl" {
  description = "How long the function caches the credentials before reading the parameter again (a Go duration)."
  type        = string
  default     = "5m"

  validation {
    condition     = can(regex("^[0-9]+(ms|s|m|h)$", var.webhook_auth_cache_ttl))
    error_message = "Use a duration such as 30s or 5m."
  }
}

variable "webhook_auth_grace" {
  description = "How long the function still accepts the previous password after a rotation (a Go duration): the old webhook keeps delivering with it until the new one replaces it, and Pipedrive retries for about three minutes."
  type        = string
  default     = "15m"

  validation {
    condition     = can(regex("^[0-9]+(ms|s|m|h)$", var.webhook_auth_grace))
    error_message = "Use a duration such as 15m."
  }
}

variable "sender_check" {
  description = "What a delivery from outside Pipedrive's published IP ranges gets: `off`, `monitor` (logged and counted, still answered 200) or `enforce` (answered 403). The ranges come from the sender_ranges parameter, which the watchdog refreshes; until it has, every delivery is let through."
  type        = string
  default     = "monitor"

  validation {
    condition     = contains(["off", "monitor", "enforce"], var.sender_check)
    error_message = "The sender check must be off, monitor or enforce."
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

variable "log_deletion_protection" {
  description = "Turn on CloudWatch Logs' deletion protection for the function's log group (the audit log): deleting it — by a destroy, a replacement, the console or the CLI — fails until a person turns the protection off (this variable false, then apply). On in production."
  type        = bool
  default     = false
}

variable "mask_personal_data" {
  description = "Put a CloudWatch Logs data protection policy on the function's log group: the personal data of masked_data_identifiers (e-mail addresses, phone numbers, postal addresses, names) is masked at every egress (console, Logs Insights, metric filters, subscriptions) for anyone without logs:Unmask. Applies to events ingested from then on."
  type        = bool
  default     = false
}

variable "masked_data_identifiers" {
  description = "CloudWatch Logs managed data identifiers the policy audits and masks: the personal data Pipedrive's payloads carry (persons' and organizations' e-mail, phone, address, name). Only identifiers CloudWatch Logs documents; IpAddress is left out on purpose (the delivery's source address is logged as operational data)."
  type        = list(string)
  default = [
    "arn:aws:dataprotection::aws:data-identifier/EmailAddress",
    "arn:aws:dataprotection::aws:data-identifier/Name",
    "arn:aws:dataprotection::aws:data-identifier/Address",
    "arn:aws:dataprotection::aws:data-identifier/PhoneNumber-US",
    "arn:aws:dataprotection::aws:data-identifier/PhoneNumber-GB",
    "arn:aws:dataprotection::aws:data-identifier/PhoneNumber-DE",
    "arn:aws:dataprotection::aws:data-identifier/PhoneNumber-FR",
    "arn:aws:dataprotection::aws:data-identifier/PhoneNumber-ES",
    "arn:aws:dataprotection::aws:data-identifier/PhoneNumber-IT",
    "arn:aws:dataprotection::aws:data-identifier/PhoneNumber-BR",
  ]

  validation {
    condition     = length(var.masked_data_identifiers) > 0 && alltrue([for id in var.masked_data_identifiers : can(regex("^arn:aws:dataprotection::aws:data-identifier/[A-Za-z]+(-[A-Z]{2})?$", id))])
    error_message = "Give at least one managed data identifier ARN, such as arn:aws:dataprotection::aws:data-identifier/EmailAddress or …/PhoneNumber-US."
  }
}

variable "masking_findings_destination" {
  description = "Where the data protection policy reports its findings (which identifiers it found, in which events; never the values): at most one of an existing log group's name (not the audit log itself), an S3 bucket's name or a Firehose stream's name. null reports none (CloudWatch's metrics of findings remain)."
  type = object({
    log_group       = optional(string)
    s3_bucket       = optional(string)
    firehose_stream = optional(string)
  })
  default = null

  validation {
    condition     = try(length(compact([var.masking_findings_destination.log_group, var.masking_findings_destination.s3_bucket, var.masking_findings_destination.firehose_stream])) == 1, var.masking_findings_destination == null)
    error_message = "Name exactly one findings destination: log_group, s3_bucket or firehose_stream (or set masking_findings_destination = null for none)."
  }
}
