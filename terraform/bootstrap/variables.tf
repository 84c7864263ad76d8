variable "region" {
  description = "Region of the state bucket (the roots' backend.s3.tfbackend name it)."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "The region must look like us-east-1."
  }
}

variable "state_bucket_name" {
  description = "Name of the S3 bucket for Terraform state (globally unique): production's backend.s3.tfbackend names the default; a sandbox account takes its own, such as dissertation-editor-pipedrive-webhooks-sandbox-tfstate."
  type        = string
  default     = "dissertation-editor-pipedrive-webhooks-tfstate"

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket_name))
    error_message = "An S3 bucket name is 3 to 63 lower-case letters, digits, dots or hyphens."
  }
}

variable "github_repository" {
  description = "The GitHub repository (owner/name) whose e2e workflow may assume the role."
  type        = string
  default     = "dissertation-editor/pipedrive-webhooks"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "Give the repository as owner/name."
  }
}

variable "github_environment" {
  description = "The GitHub environment of the e2e job: only a job in it may assume the role."
  type        = string
  default     = "sandbox"

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+$", var.github_environment))
    error_message = "Letters, digits, dots, hyphens and underscores only."
  }
}

variable "create_oidc_provider" {
  description = "Create GitHub's OIDC identity provider; false when the account has one already (there can be only one per URL)."
  type        = bool
  default     = true
}

variable "stack_prefix" {
  description = "Prefix of every resource the sandbox stack and its tests create (the sandbox root's names): the role may touch those alone."
  type        = string
  default     = "pipedrive-webhooks-sandbox"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{2,40}$", var.stack_prefix))
    error_message = "Lower-case letters, digits and hyphens, starting with a letter."
  }
}

variable "state_noncurrent_days" {
  description = "Days an overwritten state version (and a released lock's) is kept before S3 deletes it."
  type        = number
  default     = 90

  validation {
    condition     = var.state_noncurrent_days >= 1 && floor(var.state_noncurrent_days) == var.state_noncurrent_days
    error_message = "A whole number of days, at least 1."
  }
}

variable "state_noncurrent_versions" {
  description = "Overwritten versions of each object kept whatever their age: the last states to go back to."
  type        = number
  default     = 10

  validation {
    condition     = var.state_noncurrent_versions >= 1 && var.state_noncurrent_versions <= 100 && floor(var.state_noncurrent_versions) == var.state_noncurrent_versions
    error_message = "1 to 100 (S3 keeps at most 100 newer noncurrent versions by rule)."
  }
}
