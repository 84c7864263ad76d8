terraform {
  # terraform_data is built in (Terraform >= 1.4); no provider is needed at all.
  required_version = ">= 1.11"
}
