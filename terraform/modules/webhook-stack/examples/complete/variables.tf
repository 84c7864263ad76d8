variable "region" {
  description = "AWS region to deploy the example to."
  type        = string
  default     = "us-east-1"
}

variable "token_parameter_name" {
  description = "The SSM SecureString holding the Pipedrive API token."
  type        = string
  default     = "/pipedrive-webhooks-example/api-token"
}
