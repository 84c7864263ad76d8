variable "region" {
  description = "AWS region to deploy the example to."
  type        = string
  default     = "us-east-1"
}
