# Registers webhooks for an existing receiver URL, one per subscription, with the
# repository's tool.
module "registration" {
  source = "../.."

  webhook_url = var.webhook_url
  webhook = {
    name          = "pipedrive-webhooks-example"
    subscriptions = [{ event_object = "deal" }, { event_object = "person" }, { event_object = "organization", event_action = "create" }]
  }
  auth_parameter_name  = "/pipedrive-webhooks-example/webhook-auth"
  token_parameter_name = "/pipedrive-webhooks-example/api-token"
  aws_region           = "us-east-1"
  # Relative to the root module: works from any clone with shared state.
  tool_command = "${path.root}/../../../../../scripts/pipedrive-webhook/run"
}
