locals {
  command = var.tool_command
  retire  = join(",", [for id in var.retire_webhook_ids : format("%d", id)])

  # What Pipedrive offers, generated from the Go lists (internal/pipedrive,
  # internal/registration): each version's objects, the actions with their v2
  # spelling, the subscriptions' defaults and how many a stack may hold. The
  # variables' validations read it too.
  rules = jsondecode(file("${path.module}/event-objects.json"))

  # The subscriptions with the registration's defaults filled in, each keyed as
  # the Go type keys it ("2.0/deal/*", the action in its v2 spelling).
  subscriptions = [for s in var.subscriptions : {
    event_object = coalesce(s.event_object, local.rules.defaults.event_object)
    event_action = coalesce(s.event_action, local.rules.defaults.event_action)
    version      = coalesce(s.version, local.rules.defaults.version)
  }]
  by_key = { for s in local.subscriptions : "${s.version}/${s.event_object}/${local.rules.actions[s.event_action]}" => s }

  # The stack's registration, internal/registration's Stack: encoded once, and the
  # same JSON goes to the tool (one subscription per resource below) and to the
  # watchdog (all of them, the registration_json output). Fields left null take
  # Go's defaults. Nothing here is secret.
  registration = {
    url             = var.webhook_url
    name            = var.name
    subscriptions   = local.subscriptions
    user_id         = var.user_id
    auth_parameter  = var.auth_parameter_name
    auth_version    = var.auth_version
    token_parameter = var.token_parameter_name
    region          = var.aws_region
    api_url         = var.pipedrive_api_url
  }
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
  triggers_replace = [var.webhook_url, each.key, var.name, var.user_id, var.auth_version, var.retire_webhook_ids]

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

  input            = { url = var.webhook_url, token_parameter = var.token_parameter_name, region = var.aws_region, api_url = var.pipedrive_api_url, command = local.command }
  triggers_replace = [var.webhook_url]

  provisioner "local-exec" {
    when    = destroy
    command = "'${self.input.command}' delete --url '${self.input.url}' --token-parameter '${self.input.token_parameter}' --region '${self.input.region}'"
    environment = {
      # Empty for Pipedrive's own API, the tool's default (not the operator's shell's).
      PIPEDRIVE_API_URL = self.input.api_url == null ? "" : self.input.api_url
    }
  }
}
