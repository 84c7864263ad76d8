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
  description = "Name of the webhooks in Pipedrive, for people: webhooks are matched by URL, event and version."
  type        = string
  default     = "pipedrive-webhooks"

  validation {
    condition     = can(regex("^[A-Za-z0-9 ._-]{1,200}$", var.name))
    error_message = "The name must be 1 to 200 letters, digits, spaces, dots, hyphens or underscores."
  }
}

variable "subscriptions" {
  description = "What the stack receives: one webhook per subscription, each an event_object (one the version offers, or * for every object), an event_action (create, change, delete or *; v1's added, updated, merged, deleted are taken) and a version (2.0 or 1.0). Left-out attributes take the registration's defaults (deal, *, 2.0). No two subscriptions of one version may overlap (*.* overlaps everything, *.deal overlaps change.deal), and a stack holds at most 20 (Pipedrive allows 40 webhooks per user; a rotation briefly needs two of each). event-objects.json lists each version's objects."
  type = list(object({
    event_object = optional(string)
    event_action = optional(string)
    version      = optional(string)
  }))
  default  = [{ event_object = "deal", event_action = "*", version = "2.0" }]
  nullable = false

  validation {
    condition     = length(var.subscriptions) >= 1 && length(var.subscriptions) <= local.rules.max_subscriptions
    error_message = "A stack holds 1 to ${local.rules.max_subscriptions} subscriptions, not ${length(var.subscriptions)}: Pipedrive allows ${2 * local.rules.max_subscriptions} webhooks per user, and a rotation briefly needs two of each."
  }

  validation {
    condition = alltrue([for s in var.subscriptions :
      contains(keys(local.rules.objects), coalesce(s.version, local.rules.defaults.version)) &&
      contains(keys(local.rules.actions), coalesce(s.event_action, local.rules.defaults.event_action))
    ])
    error_message = "Each subscription's version must be 1.0 or 2.0, and its event_action create, change, delete or * (v1's added, updated, merged or deleted)."
  }

  validation {
    condition = alltrue([for s in var.subscriptions :
      contains(try(local.rules.objects[coalesce(s.version, local.rules.defaults.version)], []), coalesce(s.event_object, local.rules.defaults.event_object))
    ])
    error_message = "An event_object its version does not offer: ${join("; ", [for i, s in var.subscriptions : format("subscriptions[%d] is %s, version %s", i, coalesce(s.event_object, local.rules.defaults.event_object), coalesce(s.version, local.rules.defaults.version)) if !contains(try(local.rules.objects[coalesce(s.version, local.rules.defaults.version)], []), coalesce(s.event_object, local.rules.defaults.event_object))])}. Version 1.0 offers ${join(", ", local.rules.objects["1.0"])}; 2.0 offers ${join(", ", local.rules.objects["2.0"])}."
  }

  # Two subscriptions of one version overlap when their objects and their actions
  # (in v2 spelling) are each equal, or * on either side. Each subscription below
  # is [version, object, action].
  validation {
    condition = alltrue(flatten([for i, a in [for s in var.subscriptions : [coalesce(s.version, local.rules.defaults.version), coalesce(s.event_object, local.rules.defaults.event_object), lookup(local.rules.actions, coalesce(s.event_action, local.rules.defaults.event_action), "?")]] : [
      for j, b in [for s in var.subscriptions : [coalesce(s.version, local.rules.defaults.version), coalesce(s.event_object, local.rules.defaults.event_object), lookup(local.rules.actions, coalesce(s.event_action, local.rules.defaults.event_action), "?")]] : j >= i || !(a[0] == b[0] && (a[1] == b[1] || a[1] == "*" || b[1] == "*") && (a[2] == b[2] || a[2] == "*" || b[2] == "*"))
    ]]))
    error_message = "Subscriptions of one version overlap, and Pipedrive would deliver their common events twice (*.* overlaps every subscription, *.deal overlaps change.deal, create.* overlaps create.person): ${join("; ", flatten([for i, a in [for s in var.subscriptions : [coalesce(s.version, local.rules.defaults.version), coalesce(s.event_object, local.rules.defaults.event_object), lookup(local.rules.actions, coalesce(s.event_action, local.rules.defaults.event_action), "?")]] : [
      for j, b in [for s in var.subscriptions : [coalesce(s.version, local.rules.defaults.version), coalesce(s.event_object, local.rules.defaults.event_object), lookup(local.rules.actions, coalesce(s.event_action, local.rules.defaults.event_action), "?")]] : format("subscriptions[%d] (%s.%s, %s) overlaps subscriptions[%d] (%s.%s, %s)", i, a[2], a[1], a[0], j, b[2], b[1], b[0]) if j < i && (a[0] == b[0] && (a[1] == b[1] || a[1] == "*" || b[1] == "*") && (a[2] == b[2] || a[2] == "*" || b[2] == "*"))
    ]]))}."
  }
}

variable "user_id" {
  description = "The Pipedrive user whose permissions each event is checked against: Pipedrive delivers an event only if this user may see it, so it must be an admin to receive every event. 0 for the API token's user."
  type        = number
  default     = 0
  nullable    = false

  validation {
    condition     = var.user_id >= 0 && floor(var.user_id) == var.user_id
    error_message = "The user id is a Pipedrive user's id, a whole number, or 0 for the token's user."
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

variable "pipedrive_api_url" {
  description = "Pipedrive API base URL; null for Pipedrive's own, https://api.pipedrive.com/v1 (tests point it at a local server)."
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
  description = "Webhooks to delete once this stack's exist: the ones it takes over (say, a hand-made v1 webhook delivering elsewhere). Ids already gone are no error, so later applies are no-ops."
  type        = list(number)
  default     = []

  validation {
    condition     = alltrue([for id in var.retire_webhook_ids : id > 0 && floor(id) == id])
    error_message = "Webhook ids are positive whole numbers."
  }
}
