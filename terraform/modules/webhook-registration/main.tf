locals {
  command = var.tool_command
  retire  = join(",", [for id in var.retire_webhook_ids : format("%d", id)])

  # What Pipedrive offers, generated from the Go lists (internal/pipedrive,
  # internal/registration): each version's objects, the actions with their v2
  # spelling, the subscriptions' defaults and how many a stack may hold. The
  # variables' validations read it too.
  rules = jsondecode(file("${path.module}/event-objects.json"))

  # The options a person set, null ones left out, over Go's defaults; then the
  # subscriptions with the registration's defaults filled in.
  webhook = merge(local.rules.options, try({ for k, v in var.webhook : k => v if v != null }, {}))
  subscriptions = try([for s in local.webhook.subscriptions : {
    event_object = coalesce(try(s.event_object, null), local.rules.defaults.event_object)
    event_action = coalesce(try(s.event_action, null), local.rules.defaults.event_action)
    version      = coalesce(try(s.version, null), local.rules.defaults.version)
  }], [])
  # What plan refuses of the subscriptions, as Validate would (each one as
  # [version, object, action in v2 spelling]): an unknown version or action, an
  # object its version does not offer, and two of one version that overlap, their
  # objects and their actions each equal or * on either side.
  triples   = [for s in local.subscriptions : [s.version, s.event_object, lookup(local.rules.actions, s.event_action, "?")]]
  unknown   = [for i, t in local.triples : format("subscriptions[%d] is version %s, action %s", i, t[0], local.subscriptions[i].event_action) if !contains(keys(local.rules.objects), t[0]) || t[2] == "?"]
  unoffered = [for i, t in local.triples : format("subscriptions[%d] is %s, version %s", i, t[1], t[0]) if contains(keys(local.rules.objects), t[0]) && !contains(try(local.rules.objects[t[0]], []), t[1])]
  overlaps = flatten([for i, a in local.triples : [for j, b in local.triples :
    format("subscriptions[%d] (%s.%s, %s) overlaps subscriptions[%d] (%s.%s, %s)", i, a[2], a[1], a[0], j, b[2], b[1], b[0])
    if j < i && a[0] == b[0] && (a[1] == b[1] || a[1] == "*" || b[1] == "*") && (a[2] == b[2] || a[2] == "*" || b[2] == "*")
  ]])
  # Each subscription keyed as the Go type keys it, its triple joined with "/"
  # ("2.0/deal/*") (grouped, so that a subscription given twice reaches the overlap check rather
  # than failing here).
  by_key = { for k, group in { for i, t in local.triples : join("/", t) => local.subscriptions[i]... } : k => group[0] }

  # The stack's registration, internal/registration's Stack: the options, and the
  # fields this module wires from the stack. Encoded once, and the same JSON goes
  # to the tool (one subscription per resource below) and to the watchdog (all of
  # them, the registration_json output). Nothing here is secret.
  registration = merge(local.webhook, {
    subscriptions   = local.subscriptions
    url             = var.webhook_url
    auth_parameter  = var.auth_parameter_name
    auth_version    = var.auth_version
    token_parameter = var.token_parameter_name
    region          = var.aws_region
  })
  registration_json = jsonencode(local.registration)
}

# One registration per subscription: a terraform_data resource whose create-time
# provisioner makes sure exactly one healthy webhook delivers the subscription to
# this stack's URL, registered with the current credentials, and whose
# destroy-time provisioner deletes the subscription's webhooks at the URL. Keyed
# by subscription, so adding or removing one registers or deletes exactly that
# webhook and touches no other. Webhooks are found by their URL, event and
# version, never by name: a renamed stack, or a rotation made by hand, is still
# found.
#
# A new name, user, set of ids to retire or credentials (auth_version) replaces
# every subscription's, the new registration first (create_before_destroy):
# `register --rotate --exclusive` creates the new webhook, then deletes the
# subscription's other ones at the URL, so Pipedrive always has a webhook to
# deliver to and never two. Terraform does not run the destroy-time provisioner
# of a replaced ("deposed") object, which is what lets the new one stay.
resource "terraform_data" "webhook" {
  for_each = var.enabled ? local.by_key : {}

  # Everything a provisioner needs travels in the resource's input: a
  # destroy-time provisioner can only read self.
  input = {
    registration = jsonencode(merge(local.registration, { subscriptions = [each.value] }))
    command      = local.command
    retire       = local.retire
  }
  triggers_replace = [var.webhook_url, each.key, local.webhook.name, local.webhook.user_id, var.auth_version, var.retire_webhook_ids]

  provisioner "local-exec" {
    command     = "'${self.input.command}' register --rotate --exclusive${self.input.retire == "" ? "" : " --replace-id '${self.input.retire}'"}"
    environment = { WEBHOOK_REGISTRATION = self.input.registration }
  }

  provisioner "local-exec" {
    when    = destroy
    command = "'${self.input.command}' delete"
    # A registration made while a stack had one subscription carried its fields
    # one by one (moved here below): its destroy deletes that subscription.
    environment = {
      WEBHOOK_REGISTRATION = try(self.input.registration, jsonencode({
        url             = self.input.url
        subscriptions   = [{ event_object = self.input.event_object, event_action = self.input.event_action, version = self.input.version }]
        token_parameter = self.input.token_parameter
        region          = self.input.region
        api_url         = self.input.api_url
      }))
    }
  }

  lifecycle {
    create_before_destroy = true
  }
}

# The registration of a stack made when it had one subscription, the seed's.
moved {
  from = terraform_data.webhook[0]
  to   = terraform_data.webhook["2.0/deal/*"]
}

# The URL's own lifetime, kept apart from the registrations so that it is replaced
# destroy-first: when the URL changes (the API was replaced), the old URL's
# webhooks, every subscription's, are deleted by this destroy-time provisioner,
# which Terraform runs for a plain replacement but not for the deposed
# registrations above.
resource "terraform_data" "url" {
  count = var.enabled ? 1 : 0

  input            = { url = var.webhook_url, token_parameter = var.token_parameter_name, region = var.aws_region, api_url = local.webhook.api_url, command = local.command }
  triggers_replace = [var.webhook_url]

  # The subscriptions are checked here, where they are whole (a variable's own
  # checks can read nothing derived from it): plan stops before any registration.
  lifecycle {
    precondition {
      condition     = length(local.subscriptions) >= 1 && length(local.subscriptions) <= local.rules.max_subscriptions
      error_message = "A stack holds 1 to ${local.rules.max_subscriptions} subscriptions, not ${length(local.subscriptions)}: Pipedrive allows ${2 * local.rules.max_subscriptions} webhooks per user, and a rotation briefly needs two of each."
    }
    precondition {
      condition     = length(local.unknown) == 0
      error_message = "Each subscription's version must be 1.0 or 2.0, and its event_action create, change, delete or * (v1's added, updated, merged or deleted): ${join("; ", local.unknown)}."
    }
    precondition {
      condition     = length(local.unoffered) == 0
      error_message = "An event_object its version does not offer: ${join("; ", local.unoffered)}. Version 1.0 offers ${join(", ", local.rules.objects["1.0"])}; 2.0 offers ${join(", ", local.rules.objects["2.0"])}."
    }
    precondition {
      condition     = length(local.overlaps) == 0
      error_message = "Subscriptions of one version overlap, and Pipedrive would deliver their common events twice (*.* overlaps every subscription, *.deal overlaps change.deal, create.* overlaps create.person): ${join("; ", local.overlaps)}."
    }
  }

  provisioner "local-exec" {
    when    = destroy
    command = "'${self.input.command}' delete --url '${self.input.url}' --token-parameter '${self.input.token_parameter}' --region '${self.input.region}'"
    environment = {
      # Empty for Pipedrive's own API, the tool's default (not the operator's shell's).
      PIPEDRIVE_API_URL = self.input.api_url == null ? "" : self.input.api_url
    }
  }
}
