terraform {
  # Write-only arguments and ephemeral resources: Terraform >= 1.11, OpenTofu >= 1.11.
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0, < 7.0"
    }
  }
}
