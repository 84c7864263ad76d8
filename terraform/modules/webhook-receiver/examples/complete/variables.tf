variable "region" {
  description = "AWS region to deploy the example to."
  type        = string
  default     = "us-east-1"
}

variable "name" {
  description = "Name of the example stack."
  type        = string
  default     = "pipedrive-webhooks-example"
}
