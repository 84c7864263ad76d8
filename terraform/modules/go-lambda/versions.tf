terraform {
  # The stack as a whole needs Terraform >= 1.11 or OpenTofu >= 1.11.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # 6.25: deletion_protection_enabled on aws_cloudwatch_log_group.
      version = ">= 6.25, < 7.0"
    }
  }
}
