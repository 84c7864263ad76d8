package test

import (
	"os"
	"regexp"
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/repo"
)

// TestPreflightChecksProductionsTokenParameter: make's production preflight
// checks the token parameter, in the region, that production's root writes.
// Moving production to another parameter or region without the Makefile fails it.
func TestPreflightChecksProductionsTokenParameter(t *testing.T) {
	read := func(path string) string {
		b, err := os.ReadFile(repo.Path(path))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	makefile := read("Makefile")
	root := read("terraform/environments/production/main.tf") + read("terraform/environments/production/versions.tf")
	preflight := regexp.MustCompile(`token_preflight = .*-region (\S+) \\\n\s*-token-parameter (\S+?)\)`).FindStringSubmatch(makefile)
	param := regexp.MustCompile(`token_parameter_name = "([^"]+)"`).FindStringSubmatch(root)
	region := regexp.MustCompile(`(?m)^\s*region = "([^"]+)"`).FindStringSubmatch(root)
	if preflight == nil || param == nil || region == nil {
		t.Fatalf("found preflight %q, parameter %q, region %q", preflight, param, region)
	}
	if preflight[1] != region[1] || preflight[2] != param[1] {
		t.Errorf("the preflight checks %s in %s; production reads %s in %s", preflight[2], preflight[1], param[1], region[1])
	}
}
