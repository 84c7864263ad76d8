# Ephemeral resources live in this file alone: tfsec's parser predates them, so the
# offline checks scan the module without it (see scripts/terraform-check.sh).

# A fresh password on every run (never stored); it is written to the parameter only
# on create and when webhook_auth_version changes.
ephemeral "aws_secretsmanager_random_password" "webhook_auth" {
  password_length     = 40
  exclude_punctuation = true
}
