locals {
  name = var.name_suffix == "" ? "pipedrive-webhooks-sandbox" : "pipedrive-webhooks-sandbox-${var.name_suffix}"
  # A sandbox keeps its own token parameter unless told to use an existing one.
  api_token_parameter_name = coalesce(var.api_token_parameter_name, "/${local.name}/api-token")
  permissions_boundary_arn = var.permissions_boundary_arn == "" ? null : var.permissions_boundary_arn
  # Relative, as the registration tool's: a destroy works from another clone
  # sharing the state.
  secret_tool = coalesce(var.secret_tool_command, "${path.root}/../../../scripts/ssm-secret/run")
}

################################################################################
# The Pipedrive API token: read by the registration (never by the function), so
# it lives here, next to what reads it
################################################################################

# No aws_ssm_parameter resource holds the token: the provider refreshes such a
# resource by reading the parameter with decryption, and an in-place update
# without a new value sends an empty one. With value_wo = "" when the token was
# not given, a tag or description change stored the decrypted token in state, and
# SSM refused the empty value. Instead, scripts/ssm-secret writes the token, from
# the environment of a local-exec, when the parameter is first made and when
# pipedrive_api_token_version changes, and deletes the parameter on destroy.
# Terraform keeps only the parameter's name and region: no plan or state holds the
# token, an apply without it neither writes nor reads the parameter, and an empty
# value is never sent (the tool refuses it, saying the token is needed).
resource "terraform_data" "api_token_parameter" {
  count = var.manage_api_token_parameter ? 1 : 0

  input = { name = local.api_token_parameter_name, region = var.region, tool = local.secret_tool }

  provisioner "local-exec" {
    when    = destroy
    command = "'${self.input.tool}' delete --name '${self.input.name}' --region '${self.input.region}'"
  }
}

resource "terraform_data" "api_token" {
  count = var.manage_api_token_parameter ? 1 : 0

  # Only the parameter and the version make a new write (not the tool's path,
  # which may differ between checkouts).
  triggers_replace = [local.api_token_parameter_name, var.region, var.pipedrive_api_token_version]
  input            = local.api_token_parameter_name
  depends_on       = [terraform_data.api_token_parameter]

  provisioner "local-exec" {
    command = join(" ", [
      "'${local.secret_tool}' put --name '${local.api_token_parameter_name}'",
      "--region '${var.region}'",
      "--description 'Pipedrive API token, read by the webhook registration tool and the watchdog.'",
      "--missing 'TF_VAR_pipedrive_api_token is not set (the first apply, and one that bumps pipedrive_api_token_version, need it)'",
    ])
    # Ephemeral: reaches the tool's environment, never plan or state.
    environment = { SSM_SECRET_VALUE = var.pipedrive_api_token == null ? "" : var.pipedrive_api_token }
  }
}

# Stacks made before issue 21 held the parameter as a resource: forget it without
# deleting it (the next apply writes the token again, so it needs
# TF_VAR_pipedrive_api_token once).
removed {
  from = aws_ssm_parameter.api_token

  lifecycle {
    destroy = false
  }
}

check "api_token_given_when_needed" {
  assert {
    condition     = !var.manage_api_token_parameter || var.pipedrive_api_token != null
    error_message = "TF_VAR_pipedrive_api_token is not set: fine while the token parameter exists and pipedrive_api_token_version is unchanged; the first apply, and one that bumps the version, need it."
  }
}

# Named from the resource when the stack manages it: the registration is then
# created after the parameter and, on destroy, deletes the webhook before it goes.
locals {
  token_parameter_name = var.manage_api_token_parameter ? terraform_data.api_token[0].output : local.api_token_parameter_name
}

module "stack" {
  source = "../../modules/webhook-stack"

  name                      = local.name
  lambda_zip_path           = coalesce(var.lambda_zip_path, "${path.root}/../../../dist/receiver.zip")
  watchdog_zip_path         = coalesce(var.watchdog_zip_path, "${path.root}/../../../dist/watchdog.zip")
  secret_tool_command       = local.secret_tool
  registration_tool_command = coalesce(var.registration_tool_command, "${path.root}/../../../scripts/pipedrive-webhook/run")
  permissions_boundary_arn  = local.permissions_boundary_arn
  log_retention_in_days     = var.log_retention_in_days
  # Optional here (production masks); a sandbox's log group stays deletable by a
  # plain destroy.
  mask_personal_data = var.mask_personal_data

  register_webhook     = var.register_webhook
  webhook              = var.webhook
  token_parameter_name = local.token_parameter_name
  # Bump and apply to rotate the basic-auth password (README, Operations).
  webhook_auth_version = 1
}
