variable "region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "us-east-1"

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.region))
    error_message = "The region must look like us-east-1."
  }
}

variable "name_suffix" {
  description = "Appended to every name, so that parallel test stacks do not collide (Terratest passes a random id)."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^[a-z0-9-]{0,12}$", var.name_suffix))
    error_message = "The suffix must be at most 12 lower-case letters, digits or hyphens."
  }
}

variable "lambda_zip_path" {
  description = "Deployment zip from `make build`; null for the repository's dist/receiver.zip."
  type        = string
  default     = null
}

variable "log_retention_in_days" {
  description = "Retention of the function's and the API's logs, in days."
  type        = number
  default     = 14
}

variable "manage_api_token_parameter" {
  description = "Create the Pipedrive API token parameter (value from TF_VAR_pipedrive_api_token); false if it exists already."
  type        = bool
  default     = true
}

variable "pipedrive_api_token" {
  description = "The Pipedrive API token, written only to SSM by scripts/ssm-secret (never to state or plan, never read back). Set it as TF_VAR_pipedrive_api_token for the first apply and with a new pipedrive_api_token_version; other plans and applies do without."
  type        = string
  default     = null
  sensitive   = true
  ephemeral   = true
}

variable "pipedrive_api_token_version" {
  description = "Bump, with TF_VAR_pipedrive_api_token set, to write a new token to the parameter."
  type        = number
  default     = 1

  validation {
    condition     = var.pipedrive_api_token_version >= 1 && floor(var.pipedrive_api_token_version) == var.pipedrive_api_token_version
    error_message = "The version must be a whole number >= 1."
  }
}

variable "api_token_parameter_name" {
  description = "SSM parameter of the Pipedrive API token; null for /<stack name>/api-token (a sandbox keeps its own). With manage_api_token_parameter = false, an existing one such as the seed's /dissertation-editor/pipedrive/api-token."
  type        = string
  default     = null
}

variable "register_webhook" {
  description = "Register the webhook with Pipedrive on apply (and delete it on destroy). Needs a Pipedrive API token."
  type        = bool
  default     = true
}

variable "webhook" {
  description = "The webhooks' options, as the webhook-registration module takes them (its README: subscriptions, name, user_id, api_url), e.g. { subscriptions = [{ event_object = \"deal\" }, { event_object = \"person\" }] }; {} for the seed's *.deal, v2, named after the stack."
  type        = any
  default     = {}
  nullable    = false
}

variable "watchdog_zip_path" {
  description = "Path of the watchdog's deployment zip; null for dist/watchdog.zip (make build writes it)."
  type        = string
  default     = null
}

variable "registration_tool_command" {
  description = "How to run the registration tool; null for this repository's scripts/pipedrive-webhook/run (Terratest, which runs a copy of terraform/ elsewhere, passes a built binary)."
  type        = string
  default     = null
}

variable "permissions_boundary_arn" {
  description = "Permissions boundary for the stack's IAM roles; null for none. The e2e role (terraform/bootstrap) creates roles only with its boundary, so CI sets TF_VAR_permissions_boundary_arn to the bootstrap's e2e_permissions_boundary_arn; \"\" counts as null."
  type        = string
  default     = null

  validation {
    condition     = var.permissions_boundary_arn == null || var.permissions_boundary_arn == "" || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:policy/.+$", var.permissions_boundary_arn))
    error_message = "Give the managed policy's ARN (arn:aws:iam::ACCOUNT:policy/NAME)."
  }
}

variable "secret_tool_command" {
  description = "How to run scripts/ssm-secret, which writes the API token and the basic-auth credentials to their parameters; null for this repository's scripts/ssm-secret/run (Terratest, which runs a copy of terraform/ elsewhere, passes its absolute path)."
  type        = string
  default     = null
}

variable "mask_personal_data" {
  description = "Mask the personal data (e-mail addresses, phone numbers, postal addresses, names) in the function's log group for everyone without logs:Unmask. Off by default in a sandbox; production masks. The e2e role of terraform/bootstrap may not do it (logs:*DataProtectionPolicy, iam:CreatePolicy): an e2e run keeps it off."
  type        = bool
  default     = false
}
