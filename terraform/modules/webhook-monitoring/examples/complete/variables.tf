variable "region" {
  description = "AWS region to deploy the example to."
  type        = string
  default     = "us-east-1"
}

variable "alarm_emails" {
  description = "Who is told of the alarms."
  type        = list(string)
  default     = ["oncall@example.com"]
}
