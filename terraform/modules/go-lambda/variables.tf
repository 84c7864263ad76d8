variable "name" {
  description = "Name of the function; its log group is /aws/lambda/<name>."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,64}$", var.name))
    error_message = "A Lambda function name is 1 to 64 letters, digits, hyphens or underscores."
  }
}

variable "description" {
  description = "What the function does, for people (the function's description)."
  type        = string

  validation {
    condition     = length(var.description) <= 256
    error_message = "Lambda allows descriptions of at most 256 characters."
  }
}

variable "role_name" {
  description = "Name of the function's IAM role; null for the function's name."
  type        = string
  default     = null

  validation {
    condition     = var.role_name == null || can(regex("^[A-Za-z0-9+=,.@_-]{1,64}$", coalesce(var.role_name, "x")))
    error_message = "An IAM role name is 1 to 64 letters, digits or +=,.@_- characters."
  }
}

variable "role_description" {
  description = "Description of the function's IAM role."
  type        = string
}

variable "policy_name" {
  description = "Name of the role's inline policy."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9+=,.@_-]{1,128}$", var.policy_name))
    error_message = "An inline policy name is 1 to 128 letters, digits or +=,.@_- characters."
  }
}

variable "policy_statements" {
  description = "The function's own permissions, after the statement that lets it write its own logs: each with a sid, its actions and the exact resources (no wildcards beyond what a resource needs)."
  type = list(object({
    sid       = string
    actions   = list(string)
    resources = list(string)
  }))
  default = []

  validation {
    condition     = alltrue([for s in var.policy_statements : can(regex("^[A-Za-z0-9]+$", s.sid)) && length(s.actions) > 0 && length(s.resources) > 0])
    error_message = "Each statement needs an alphanumeric sid, at least one action and at least one resource."
  }
}

variable "ssm_decrypt" {
  description = "Customer-managed KMS keys the function may decrypt with, through SSM only, each for the SSM parameters (by ARN) it encrypts: one kms:Decrypt statement each, after policy_statements. Empty when every parameter uses aws/ssm."
  type = list(object({
    sid            = string
    key_arn        = string
    parameter_arns = list(string)
  }))
  default = []

  validation {
    condition     = alltrue([for s in var.ssm_decrypt : can(regex("^[A-Za-z0-9]+$", s.sid)) && can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/", s.key_arn)) && length(s.parameter_arns) > 0])
    error_message = "Each entry needs an alphanumeric sid, a key ARN (not an alias) and at least one parameter ARN."
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

variable "memory_size" {
  description = "Memory of the function in MB."
  type        = number
  default     = 128

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240 && floor(var.memory_size) == var.memory_size
    error_message = "Lambda memory must be a whole number of MB from 128 to 10240."
  }
}

variable "timeout" {
  description = "Function timeout in seconds."
  type        = number

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900 && floor(var.timeout) == var.timeout
    error_message = "The timeout must be a whole number of seconds from 1 to 900."
  }
}

variable "reserved_concurrent_executions" {
  description = "Concurrency reserved for the function; -1 for none."
  type        = number
  default     = -1

  validation {
    condition     = var.reserved_concurrent_executions == -1 || var.reserved_concurrent_executions >= 0
    error_message = "Use -1 (no reservation) or a number of executions >= 0."
  }
}

variable "environment_variables" {
  description = "The function's environment: names of parameters, never secret values (Lambda shows its environment to anyone who may read the function's configuration)."
  type        = map(string)
  default     = {}
}

variable "log_level" {
  description = "Lowest level the function logs (and Lambda keeps): DEBUG, INFO, WARN or ERROR."
  type        = string
  default     = "INFO"

  validation {
    condition     = contains(["DEBUG", "INFO", "WARN", "ERROR"], var.log_level)
    error_message = "The log level must be DEBUG, INFO, WARN or ERROR."
  }
}

variable "log_retention_in_days" {
  description = "How long CloudWatch Logs keeps the function's log group, in days."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_in_days)
    error_message = "CloudWatch Logs accepts 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653 days."
  }
}

variable "log_deletion_protection" {
  description = "Turn on CloudWatch Logs' deletion protection for the function's log group: deleting it fails until the protection is turned off again."
  type        = bool
  default     = false
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key of the log group; null for the AWS-managed encryption. Its key policy must let CloudWatch Logs use it."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/", var.kms_key_arn))
    error_message = "The KMS key must be given as a key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID), not an alias."
  }
}

variable "permissions_boundary_arn" {
  description = "Managed policy set as the permissions boundary of the function's role; null for none."
  type        = string
  default     = null

  validation {
    condition     = var.permissions_boundary_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:policy/.+$", var.permissions_boundary_arn))
    error_message = "Give the managed policy's ARN (arn:aws:iam::ACCOUNT:policy/NAME)."
  }
}

variable "depends_on_ids" {
  description = "Ids of what must exist before the function is created (and is destroyed after it), such as a data protection policy on its log group: the function then logs nothing before it is in place."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
