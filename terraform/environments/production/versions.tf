terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }

  # Shared state in S3 with native locking (use_lockfile: Terraform >= 1.11,
  # OpenTofu >= 1.10), configured by backend.s3.tfbackend beside this file: the
  # bucket terraform/bootstrap creates. Production never runs on local state.
  backend "s3" {}
}

provider "aws" {
  # The seed's region.
  region = "us-east-1"

  default_tags {
    tags = {
      app         = "pipedrive-webhooks"
      environment = "production"
      managed_by  = "terraform"
    }
  }
}
