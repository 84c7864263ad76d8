locals {
  # Everything the destroy-time provisioner needs travels in the resource's input:
  # a destroy provisioner can only read self. Nothing here is secret.
  registration = {
    url             = var.webhook_url
    event_action    = var.event_action
    event_object    = var.event_object
    version         = var.webhook_version
    name            = "${var.name} (auth v${var.auth_version})"
    name_prefix     = "${var.name} (auth v"
    auth_parameter  = var.auth_parameter_name
    token_parameter = var.token_parameter_name
    api_url         = coalesce(var.pipedrive_api_url, "https://api.pipedrive.com/v1")
    command         = var.tool_command
    dir             = coalesce(var.tool_dir, abspath("${path.module}/../../.."))
  }
  # Arguments naming one registration, for register and delete alike.
  match = "--url '${var.webhook_url}' --event-action '${var.event_action}' --event-object '${var.event_object}' --version '${var.webhook_version}' --name '${local.registration.name}'"
}

# The registration is a terraform_data resource with local-exec provisioners: it
# registers on create and deletes on destroy, and is replaced (so: registered anew)
# when the URL, the event, the version or the credentials' version changes.
#
# A replacement must never leave Pipedrive without a webhook, so it is created
# first (create_before_destroy) and its registration itself retires the webhooks it
# supersedes (--supersede: this stack's name prefix). That is also why: Terraform
# does not run destroy-time provisioners of a replaced ("deposed") object. A real
# destroy does run the delete below.
resource "terraform_data" "webhook" {
  count = var.enabled ? 1 : 0

  input            = merge(local.registration, { match = local.match })
  triggers_replace = [var.webhook_url, var.event_action, var.event_object, var.webhook_version, local.registration.name]

  provisioner "local-exec" {
    working_dir = self.input.dir
    command     = "${self.input.command} register ${self.input.match} --match-name --supersede '${self.input.name_prefix}' --token-parameter '${self.input.token_parameter}'"
    environment = {
      PIPEDRIVE_API_URL      = self.input.api_url
      WEBHOOK_AUTH_PARAMETER = self.input.auth_parameter
    }
  }

  provisioner "local-exec" {
    when        = destroy
    working_dir = self.input.dir
    command     = "${self.input.command} delete ${self.input.match} --token-parameter '${self.input.token_parameter}'"
    environment = {
      PIPEDRIVE_API_URL = self.input.api_url
    }
  }

  lifecycle {
    create_before_destroy = true
  }
}
