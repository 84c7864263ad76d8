# Registers a webhook for an existing receiver URL, with the repository's tool.
module "registration" {
  source = "../.."

  name                 = "pipedrive-webhooks-example"
  webhook_url          = var.webhook_url
  auth_parameter_name  = "/pipedrive-webhooks-example/webhook-auth"
  token_parameter_name = "/pipedrive-webhooks-example/api-token"
  aws_region           = "us-east-1"
  # Relative to the root module: works from any clone with shared state.
  tool_command = "${path.root}/../../../../../scripts/pipedrive-webhook/run"
}
