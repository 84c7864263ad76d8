terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 6.0"
    }
  }

  # State: keep it in S3 for shared use. Fill in a bucket and pass the rest at init:
  #   terraform init -backend-config="bucket=…" -backend-config="key=pipedrive-webhooks/sandbox.tfstate" \
  #     -backend-config="region=us-east-1" -backend-config="use_lockfile=true"
  # backend "s3" {}
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
