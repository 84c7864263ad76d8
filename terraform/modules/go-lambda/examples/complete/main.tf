provider "aws" {
  region = var.region
}

# A Go function that reads one SSM parameter, from the receiver's zip (make build).
module "function" {
  source = "../.."

  name             = var.name
  description      = "An example Go function."
  role_description = "Runs the example function ${var.name}."
  policy_name      = "example"
  policy_statements = [
    { sid = "ReadItsSetting", actions = ["ssm:GetParameter"], resources = ["arn:aws:ssm:${var.region}:${data.aws_caller_identity.current.account_id}:parameter/${var.name}/setting"] },
  ]
  lambda_zip_path       = "${path.root}/../../../../../dist/receiver.zip"
  timeout               = 5
  environment_variables = { SETTING_PARAMETER = "/${var.name}/setting" }
  log_retention_in_days = 7
}

data "aws_caller_identity" "current" {}
