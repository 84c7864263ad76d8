terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }

  # Shared state in S3 with native locking (use_lockfile: Terraform >= 1.11,
  # OpenTofu >= 1.10), configured by backend.s3.tfbackend beside this file
  # (make plan/apply/destroy pass it to init). Without that file, make runs this
  # root on local state and says so.
  backend "s3" {}
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      app         = "pipedrive-webhooks"
      environment = "sandbox"
      managed_by  = "terraform"
    }
  }
}
