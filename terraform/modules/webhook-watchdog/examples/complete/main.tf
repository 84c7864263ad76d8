provider "aws" {
  region = var.region
}

# A watchdog for webhooks registered elsewhere (pass the webhook-registration
# module's registration_json output instead, in a stack: see webhook-stack).
module "watchdog" {
  source = "../.."

  name            = "pipedrive-webhooks-example"
  lambda_zip_path = "${path.root}/../../../../../dist/watchdog.zip" # make build
  registration_json = jsonencode({
    url             = "https://abc123.execute-api.us-east-1.amazonaws.com/webhooks/pipedrive"
    name            = "pipedrive-webhooks-example"
    subscriptions   = [{ event_object = "deal" }, { event_object = "person" }]
    auth_parameter  = "/pipedrive-webhooks-example/webhook-auth"
    token_parameter = "/pipedrive-webhooks-example/api-token"
    region          = "us-east-1"
  })
  schedule_expression = "rate(30 minutes)"
  sender_ranges       = { parameter_name = "/pipedrive-webhooks-example/sender-ranges" }
}
