terraform {
  # Write-only arguments and ephemeral resources (webhook-receiver): Terraform >= 1.11, OpenTofu >= 1.11.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 6.25: deletion_protection_enabled on aws_cloudwatch_log_group (webhook-receiver).
      version = ">= 6.25, < 7.0"
    }
  }
}
