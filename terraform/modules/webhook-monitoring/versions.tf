terraform {
  # The stack as a whole needs Terraform >= 1.11 or OpenTofu >= 1.11.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0, < 7.0"
    }
  }
}
