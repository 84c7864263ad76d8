# The sandbox root with a mocked AWS provider: names, wiring and outputs.
# Registration runs a real local-exec on apply, so those runs only plan.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_region" {
    defaults = { region = "us-east-1", name = "us-east-1" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

override_resource {
  target = module.receiver.aws_apigatewayv2_api.this
  values = {
    api_endpoint  = "https://abc123.execute-api.us-east-1.amazonaws.com"
    execution_arn = "arn:aws:execute-api:us-east-1:123456789012:abc123"
  }
}

variables {
  name_suffix         = "t1a2b3"
  pipedrive_api_token = "not-a-real-token"
}

run "stack" {
  command = apply

  variables {
    register_webhook = false
  }

  assert {
    condition     = output.function_name == "pipedrive-webhooks-sandbox-t1a2b3"
    error_message = "Every name carries the suffix, so that parallel stacks do not collide."
  }
  assert {
    condition     = output.log_group_name == "/aws/lambda/pipedrive-webhooks-sandbox-t1a2b3" && output.log_retention_in_days == 14
    error_message = "The log group is the function's, with the sandbox's retention."
  }
  assert {
    condition     = output.webhook_url == "https://abc123.execute-api.us-east-1.amazonaws.com/webhooks/pipedrive"
    error_message = "The webhook URL comes from the API."
  }
  assert {
    condition     = output.api_token_parameter_name == "/pipedrive-webhooks-sandbox-t1a2b3/api-token" && output.webhook_auth_parameter_name == "/pipedrive-webhooks-sandbox-t1a2b3/webhook-auth"
    error_message = "A sandbox keeps its own parameters."
  }
  assert {
    condition     = !output.webhook_registered && module.registration.registration == null
    error_message = "With register_webhook = false nothing is registered."
  }
}

run "registration" {
  command = plan

  assert {
    condition     = module.registration.registration.auth_parameter == "/pipedrive-webhooks-sandbox-t1a2b3/webhook-auth"
    error_message = "The tool reads the receiver's credentials parameter."
  }
  assert {
    condition     = module.registration.registration.version == "2.0" && module.registration.registration.event_object == "deal" && module.registration.registration.event_action == "*"
    error_message = "The webhook is v2 for every deal event, as the seed's."
  }
  assert {
    condition     = output.webhook_name == "pipedrive-webhooks-sandbox-t1a2b3 (auth v1)"
    error_message = "The webhook's name carries the credentials' version."
  }
  assert {
    condition     = !strcontains(jsonencode(module.registration.registration), "not-a-real-token")
    error_message = "No secret may reach the registration's inputs."
  }
}
