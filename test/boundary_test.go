package test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/repo"
)

// The e2e role creates roles only with the sandbox permissions boundary
// (terraform/bootstrap): every IAM role a module creates must take one, and the
// sandbox root must hand its permissions_boundary_arn to every module that has
// roles, or a CI apply fails at CreateRole. Fails on the modules before issue 21
// (no role carried a boundary).
func TestEveryRoleTakesThePermissionsBoundary(t *testing.T) {
	modules, _ := filepath.Glob(repo.Path("terraform", "modules", "*"))
	roleBlock := regexp.MustCompile(`(?ms)^resource "aws_iam_role" "([a-z_]+)" \{\n(.*?)^\}`)
	ownRoles := map[string]bool{}
	for _, m := range modules {
		files, _ := filepath.Glob(filepath.Join(m, "*.tf"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range roleBlock.FindAllSubmatch(b, -1) {
				ownRoles[filepath.Clean(m)] = true
				if !regexp.MustCompile(`(?m)^\s+permissions_boundary\s*=\s*var\.permissions_boundary_arn\s*$`).Match(r[2]) {
					t.Errorf("%s: aws_iam_role.%s takes no permissions_boundary = var.permissions_boundary_arn", filepath.Base(m), r[1])
				}
			}
		}
	}
	if len(ownRoles) == 0 {
		t.Fatal("no aws_iam_role found in terraform/modules; the pattern no longer reads them")
	}
	// A module creates roles when it has one or calls a module that does; every
	// call of such a module, from the sandbox root down, hands the boundary on.
	createsRoles := func(dir string) bool {
		return slices.ContainsFunc(stackFolders(t, dir), func(d string) bool { return ownRoles[d] })
	}
	passes := regexp.MustCompile(`(?m)^\s+permissions_boundary_arn\s*=\s*(local|var)\.permissions_boundary_arn\s*$`)
	checked := 0
	for _, dir := range stackFolders(t, repo.Path("terraform", "environments", "sandbox")) {
		for _, c := range moduleCalls(t, dir) {
			if !createsRoles(c.dir) {
				continue
			}
			checked++
			if !passes.MatchString(c.body) {
				t.Errorf("%s: module %s creates roles but is given no permissions_boundary_arn", filepath.Base(dir), c.name)
			}
		}
	}
	if checked < 3 {
		t.Errorf("checked %d module calls that create roles, want at least 3 (receiver, watchdog, and the function module each calls)", checked)
	}
}

// CI hands the boundary to the sandbox root, in the run and in its cleanup.
func TestE2EWorkflowPassesTheBoundary(t *testing.T) {
	raw, err := os.ReadFile(repo.Path(".github", "workflows", "e2e.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(raw), "TF_VAR_permissions_boundary_arn: ${{ vars.SANDBOX_PERMISSIONS_BOUNDARY_ARN }}"); n != 2 {
		t.Errorf("e2e.yml passes TF_VAR_permissions_boundary_arn to %d steps, want 2 (make e2e and the cleanup)", n)
	}
}
