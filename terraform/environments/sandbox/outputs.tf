# One output, every output of the stack module (its README lists them):
# `terraform output stack` shows them, `make output ENV=… NAME=…` prints one.
output "stack" {
  description = "The webhook-stack module's outputs: webhook_url, log_group_name, dashboard_url and the rest (modules/webhook-stack/README.md)."
  value       = module.stack
}
