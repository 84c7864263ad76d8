provider "aws" {
  region = var.region
}

# The receiver with its audit log protected and masked, as production has it.
module "receiver" {
  source = "../.."

  name                    = var.name
  lambda_zip_path         = "${path.root}/../../../../../dist/receiver.zip" # make build
  log_retention_in_days   = 400
  log_deletion_protection = true
  mask_personal_data      = true
  sender_check            = "monitor"
}
