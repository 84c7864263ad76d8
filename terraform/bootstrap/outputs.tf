output "state_bucket" {
  description = "The state bucket: the bucket in the roots' backend.s3.tfbackend."
  value       = aws_s3_bucket.state.id
}

output "e2e_role_arn" {
  description = "The role the e2e workflow assumes: the repository's SANDBOX_ROLE_ARN variable."
  value       = aws_iam_role.e2e.arn
}

output "oidc_provider_arn" {
  description = "GitHub's OIDC identity provider in this account."
  value       = local.oidc_provider_arn
}

output "e2e_permissions_boundary_arn" {
  description = "The permissions boundary every role of an e2e run must carry: the repository's SANDBOX_PERMISSIONS_BOUNDARY_ARN variable (the sandbox root's permissions_boundary_arn)."
  value       = aws_iam_policy.sandbox_boundary.arn
}
