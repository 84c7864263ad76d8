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

variable "webhook" {
  description = <<-EOT
    The webhooks' options, internal/registration's Stack fields a person sets (event-objects.json lists them, with their defaults; a left-out or null option takes its default):
    - `subscriptions`: what the stack receives, one webhook per subscription, each an `event_object` (one the version offers, or * for every object), an `event_action` (create, change, delete or *; v1's added, updated, merged, deleted are taken) and a `version` (2.0 or 1.0); left-out attributes are deal, * and 2.0. No two subscriptions of one version may overlap (*.* overlaps everything, *.deal overlaps change.deal), and a stack holds at most 20 (Pipedrive allows 40 webhooks per user; a rotation briefly needs two of each). Default: the seed's *.deal, v2.
    - `name`: the webhooks' name in Pipedrive, for people (webhooks are matched by URL, event and version). Default: pipedrive-webhooks.
    - `user_id`: the Pipedrive user whose permissions each event is checked against: Pipedrive delivers an event only if this user may see it, so it must be an admin to receive every event. Default: 0, the API token's user.
    - `api_url`: Pipedrive's API base URL (tests point it at a local server). Default: https://api.pipedrive.com/v1.
  EOT
  type        = any
  default     = {}
  nullable    = false

  validation {
    condition     = can(keys(var.webhook)) && try(length(setsubtract(keys(var.webhook), keys(local.rules.options))) == 0, false)
    error_message = "The webhook ${try("has an option Go does not know: ${join(", ", sort(setsubtract(keys(var.webhook), keys(local.rules.options))))}", "is not an object")}. Its options are ${join(", ", keys(local.rules.options))} (internal/registration's Stack, listed in event-objects.json)."
  }

  validation {
    condition     = try(var.webhook.name, null) == null || can(regex("^[A-Za-z0-9 ._-]{1,200}$", var.webhook.name))
    error_message = "The webhooks' name must be 1 to 200 letters, digits, spaces, dots, hyphens or underscores."
  }

  validation {
    condition     = try(var.webhook.user_id, null) == null || try(var.webhook.user_id >= 0 && floor(var.webhook.user_id) == var.webhook.user_id, false)
    error_message = "The user_id is a Pipedrive user's id, a whole number, or 0 for the token's user."
  }

  validation {
    condition     = try(var.webhook.api_url, null) == null || can(regex("^https?://[^\\s'\"\\\\]+$", var.webhook.api_url))
    error_message = "The api_url must be an http(s) URL without spaces or quotes, such as https://api.pipedrive.com/v1."
  }

  validation {
    condition = try(var.webhook.subscriptions, null) == null || try(alltrue([for s in var.webhook.subscriptions :
      length(setsubtract(keys(s), ["event_object", "event_action", "version"])) == 0
    ]), false)
    error_message = "subscriptions is a list of objects with any of event_object, event_action and version, such as [{ event_object = \"deal\" }, { event_object = \"person\", event_action = \"create\" }]."
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
  description = "Version of the basic-auth credentials: when it changes every subscription's webhook is registered again with the new ones."
  type        = number
  default     = 1

  validation {
    condition     = var.auth_version >= 1 && floor(var.auth_version) == var.auth_version
    error_message = "The credentials' version is a whole number from 1."
  }
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

variable "tool_command" {
  description = "How to run the registration tool: this repository's scripts/pipedrive-webhook/run (the binary make build leaves in dist/, else go run), or a built binary. Give it relative to the root module (\"$${path.root}/../../../scripts/pipedrive-webhook/run\" from terraform/environments/NAME): a relative path keeps working from a colleague's clone, or CI's, with shared state, where abspath() would store this checkout's path in state."
  type        = string

  validation {
    condition     = length(trimspace(var.tool_command)) > 0 && !strcontains(var.tool_command, "'")
    error_message = "Give the tool's path (it is run in single quotes, so it may hold no single quote)."
  }
}

variable "retire_webhook_ids" {
  description = "Webhooks to delete once this stack's exist: the ones it takes over (say, a hand-made v1 webhook delivering elsewhere). Ids already gone are no error, so later applies are no-ops."
  type        = list(number)
  default     = []

  validation {
    condition     = alltrue([for id in var.retire_webhook_ids : id > 0 && floor(id) == id])
    error_message = "Webhook ids are positive whole numbers."
  }
}
