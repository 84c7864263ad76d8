variable "enabled" {
  description = "Register the webhook. False skips registration entirely (say, with no Pipedrive company to register with)."
  type        = bool
  default     = true
}

variable "webhook_url" {
  description = "Where Pipedrive delivers: the receiver's webhook URL. What makes a webhook this stack's."
  type        = string

  validation {
    condition     = can(regex("^https?://[^\\s'\"\\\\]+$", var.webhook_url))
    error_message = "The URL must be an http(s) URL without spaces or quotes."
  }
}

variable "name" {
  description = "Name of the webhook in Pipedrive, for people: webhooks are matched by URL, event and version."
  type        = string
  default     = "pipedrive-webhooks"

  validation {
    condition     = can(regex("^[A-Za-z0-9 ._-]{1,200}$", var.name))
    error_message = "The name must be 1 to 200 letters, digits, spaces, dots, hyphens or underscores."
  }
}

variable "event_action" {
  description = "Event action to subscribe to: create, change, delete or *."
  type        = string
  default     = "*"

  validation {
    condition     = contains(["create", "change", "delete", "*"], var.event_action)
    error_message = "The event action must be create, change, delete or *."
  }
}

variable "event_object" {
  description = "Event object to subscribe to: one of the webhooks API's objects (activity, deal, lead, note, organization, person, pipeline, product, stage, user, *), or activityType with webhook_version 1.0."
  type        = string
  default     = "deal"

  validation {
    condition     = contains(["activity", "activityType", "deal", "lead", "note", "organization", "person", "pipeline", "product", "stage", "user", "*"], var.event_object)
    error_message = "The event object must be one of activity, activityType, deal, lead, note, organization, person, pipeline, product, stage, user or *."
  }
}

variable "webhook_version" {
  description = "Payload version Pipedrive sends: 2.0 (its default since March 2025) or 1.0."
  type        = string
  default     = "2.0"

  validation {
    condition     = contains(["1.0", "2.0"], var.webhook_version)
    error_message = "The webhook version must be 1.0 or 2.0."
  }
}

variable "auth_parameter_name" {
  description = "SSM parameter holding the basic-auth \"user:password\" that the registration tool sends to Pipedrive (the receiver reads the same one)."
  type        = string

  validation {
    condition     = can(regex("^/[A-Za-z0-9_.\\-/]+$", var.auth_parameter_name))
    error_message = "The parameter name must be a path such as /pipedrive-webhooks-sandbox/webhook-auth."
  }
}

variable "auth_version" {
  description = "Version of the basic-auth credentials: when it changes the webhook is registered again with the new ones."
  type        = number
  default     = 1
}

variable "token_parameter_name" {
  description = "SSM parameter holding the Pipedrive API token, read by the tool when PIPEDRIVE_API_TOKEN is not set. Pass the parameter resource's name (not a literal), so that destroy deletes the webhook before the parameter."
  type        = string

  validation {
    condition     = can(regex("^/[A-Za-z0-9_.\\-/]+$", var.token_parameter_name))
    error_message = "The parameter name must be a path such as /team/pipedrive/api-token."
  }
}

variable "aws_region" {
  description = "Region of the SSM parameters: the stack's, passed to the tool explicitly rather than taken from the operator's shell."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]$", var.aws_region))
    error_message = "The region must look like us-east-1."
  }
}

variable "pipedrive_api_url" {
  description = "Pipedrive API base URL; null for https://api.pipedrive.com/v1 (tests point it at a local server)."
  type        = string
  default     = null
}

variable "tool_command" {
  description = "How to run the registration tool: this repository's scripts/pipedrive-webhook/run (the binary make build leaves in dist/, else go run), or a built binary. Give it relative to the root module (\"$${path.root}/../../../scripts/pipedrive-webhook/run\" from terraform/environments/NAME): a relative path keeps working from a colleague's clone, or CI's, with shared state, where abspath() would store this checkout's path in state."
  type        = string

  validation {
    condition     = length(trimspace(var.tool_command)) > 0 && !strcontains(var.tool_command, "'")
    error_message = "Give the tool's path (it is run in single quotes, so it may hold no single quote)."
  }
}

variable "retire_webhook_ids" {
  description = "Webhooks to delete once this stack's exists: the ones it takes over (say, a hand-made v1 webhook delivering elsewhere). Ids already gone are no error, so later applies are no-ops."
  type        = list(number)
  default     = []

  validation {
    condition     = alltrue([for id in var.retire_webhook_ids : id > 0 && floor(id) == id])
    error_message = "Webhook ids are positive whole numbers."
  }
}
