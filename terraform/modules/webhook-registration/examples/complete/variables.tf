variable "webhook_url" {
  description = "The receiver's webhook URL."
  type        = string
  default     = "https://abc123.execute-api.us-east-1.amazonaws.com/webhooks/pipedrive"
}
