locals {
  # Everything a provisioner needs travels in the resource's input: a destroy-time
  # provisioner can only read self. Nothing here is secret.
  registration = {
    url             = var.webhook_url
    event_action    = var.event_action
    event_object    = var.event_object
    version         = var.webhook_version
    name            = var.name
    auth_parameter  = var.auth_parameter_name
    auth_version    = var.auth_version
    token_parameter = var.token_parameter_name
    region          = var.aws_region
    api_url         = coalesce(var.pipedrive_api_url, "https://api.pipedrive.com/v1")
    command         = var.tool_command
    retire          = join(",", [for id in var.retire_webhook_ids : format("%d", id)])
  }
}

# The registration: a terraform_data resource whose create-time provisioner makes
# sure exactly one healthy webhook delivers this stack's URL, registered with the
# current credentials, and whose destroy-time provisioner deletes every webhook
# delivering to the URL. Webhooks are found by their URL (unique per API), event
# and version, never by name: a renamed stack, or a rotation made by hand, is
# still found.
#
# A change of event, version, name or credentials replaces it, and the new
# registration comes first (create_before_destroy): `register --rotate
# --exclusive` creates the new webhook, then deletes every other one delivering to
# the URL, so Pipedrive always has a webhook to deliver to and never two.
# Terraform does not run the destroy-time provisioner of a replaced ("deposed")
# object, which is what lets the new one stay.
resource "terraform_data" "webhook" {
  count = var.enabled ? 1 : 0

  input            = local.registration
  triggers_replace = [var.webhook_url, var.event_action, var.event_object, var.webhook_version, var.name, var.auth_version, var.retire_webhook_ids]

  provisioner "local-exec" {
    command = join(" ", [
      "'${self.input.command}' register --rotate --exclusive",
      "--url '${self.input.url}' --event-action '${self.input.event_action}' --event-object '${self.input.event_object}'",
      "--version '${self.input.version}' --name '${self.input.name}'",
      "--auth-parameter '${self.input.auth_parameter}' --token-parameter '${self.input.token_parameter}' --region '${self.input.region}'",
      self.input.retire == "" ? "" : "--replace-id '${self.input.retire}'",
    ])
    environment = {
      PIPEDRIVE_API_URL = self.input.api_url
    }
  }

  provisioner "local-exec" {
    when    = destroy
    command = "'${self.input.command}' delete --url '${self.input.url}' --token-parameter '${self.input.token_parameter}' --region '${self.input.region}'"
    environment = {
      PIPEDRIVE_API_URL = self.input.api_url
    }
  }

  lifecycle {
    create_before_destroy = true
  }
}

# The URL's own lifetime, kept apart from the registration so that it is replaced
# destroy-first: when the URL changes (the API was replaced), the old URL's
# webhooks are deleted by this destroy-time provisioner, which Terraform runs for a
# plain replacement but not for the deposed registration above.
resource "terraform_data" "url" {
  count = var.enabled ? 1 : 0

  input            = { url = var.webhook_url, token_parameter = var.token_parameter_name, region = var.aws_region, api_url = local.registration.api_url, command = local.registration.command }
  triggers_replace = [var.webhook_url]

  provisioner "local-exec" {
    when    = destroy
    command = "'${self.input.command}' delete --url '${self.input.url}' --token-parameter '${self.input.token_parameter}' --region '${self.input.region}'"
    environment = {
      PIPEDRIVE_API_URL = self.input.api_url
    }
  }
}
