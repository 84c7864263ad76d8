package test

import "testing"

// TestProviderUnavailable pins when the graph test may skip: only on init's
// provider-download error. Before, any failed init skipped, so a root with a broken
// module source was reported as skipped and the package passed (tried: the old
// rule, "skip on any error", fails the "broken module source" rows here). The
// outputs are the engines' own, captured with no network and no stand-in.
func TestProviderUnavailable(t *testing.T) {
	const (
		tofuNoRegistry = `Initializing provider plugins...
- Finding hashicorp/aws versions matching "~> 6.0"...

Error: Failed to resolve provider packages

Could not resolve provider hashicorp/aws: could not connect to
registry.opentofu.org: failed to request discovery document: Get
"https://registry.opentofu.org/.well-known/terraform.json": dial tcp: lookup
registry.opentofu.org on 10.255.255.53:53: no such host
`
		terraformNoRegistry = `Initializing provider plugins...
- Finding hashicorp/aws versions matching "~> 6.0"...

Error: Failed to query available provider packages

Could not retrieve the list of available versions for provider hashicorp/aws:
could not connect to registry.terraform.io: failed to request discovery
document: Get "https://registry.terraform.io/.well-known/terraform.json":
dial tcp: lookup registry.terraform.io on 10.255.255.53:53: no such host
`
		brokenModule = `Initializing modules...
- x in 

Error: Unreadable module directory

Unable to evaluate directory symlink: lstat nonexistent: no such file or
directory


Error: Unreadable module directory

The directory  could not be read for module "x" at main.tf:6.
`
		syntaxError = `
Error: Argument or block definition required

  on main.tf line 3:
   3: resource "aws_s3_bucket" "x" {{

An argument or block definition is required here.
`
		otherProvider = `
Error: Failed to query available provider packages

Could not retrieve the list of available versions for provider hashicorp/random:
provider registry registry.terraform.io does not have a provider named
registry.terraform.io/hashicorp/random
`
	)
	for _, tc := range []struct {
		name string
		out  string
		want bool
	}{
		{"tofu without a registry", tofuNoRegistry, true},
		{"terraform without a registry", terraformNoRegistry, true},
		{"broken module source", brokenModule, false},
		{"broken module source and no registry", brokenModule + tofuNoRegistry, false},
		{"syntax error", syntaxError, false},
		{"another provider missing", otherProvider, false},
		{"no error heading at all", "signal: killed\n", false},
		{"empty output", "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := providerUnavailable(tc.out); got != tc.want {
				t.Errorf("providerUnavailable = %v, want %v for:\n%s", got, tc.want, tc.out)
			}
		})
	}
}
