terraform {
  required_version = ">= 1.11"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.0, < 7.0"
    }
  }

  # Applied once per account by an administrator, on local state: this root
  # creates the bucket every other root keeps its state in. Keep its
  # terraform.tfstate safe (it holds no secret).
}

provider "aws" {
  region = var.region

  default_tags {
    tags = {
      app        = "pipedrive-webhooks"
      managed_by = "terraform"
      purpose    = "bootstrap"
    }
  }
}
