package test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/repo"
)

var (
	moduleBlock  = regexp.MustCompile(`(?ms)^module "([a-z_]+)" \{\n(.*?)^\}`)
	localSource  = regexp.MustCompile(`(?m)^\s*source\s*=\s*"(\.\.?/[^"]+)"`)
	resourceType = regexp.MustCompile(`(?m)^(resource|data|ephemeral) "([a-z0-9_]+)"`)
)

// moduleCall is one module block of a Terraform folder, with a local source.
type moduleCall struct {
	name, body string
	dir        string // the called module's folder
}

// moduleCalls returns the module blocks of dir's *.tf files whose source is a
// local path.
func moduleCalls(t *testing.T, dir string) []moduleCall {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.tf"))
	var calls []moduleCall
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range moduleBlock.FindAllSubmatch(b, -1) {
			if src := localSource.FindSubmatch(m[2]); src != nil {
				calls = append(calls, moduleCall{name: string(m[1]), body: string(m[2]), dir: filepath.Clean(filepath.Join(dir, string(src[1])))})
			}
		}
	}
	return calls
}

// stackFolders returns root and every folder of a module it calls, directly or
// through other modules, each once.
func stackFolders(t *testing.T, root string) []string {
	t.Helper()
	dirs := []string{filepath.Clean(root)}
	for i := 0; i < len(dirs); i++ {
		for _, c := range moduleCalls(t, dirs[i]) {
			if !slices.Contains(dirs, c.dir) {
				dirs = append(dirs, c.dir)
			}
		}
	}
	return dirs
}

// The walk follows nested calls: a module that calls another (webhook-receiver calls
// go-lambda) brings that one's types along.
func TestStackFoldersFollowNestedModules(t *testing.T) {
	dir := t.TempDir()
	for name, src := range map[string]string{
		"root/main.tf":  "module \"a\" {\n  source = \"../a\"\n}\n",
		"a/main.tf":     "module \"b\" {\n  source = \"../b\"\n}\nmodule \"again\" {\n  source = \"../b\"\n}\n",
		"b/main.tf":     "resource \"aws_iam_role\" \"this\" {\n}\n",
		"other/main.tf": "resource \"aws_s3_bucket\" \"this\" {\n}\n",
	} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got := stackFolders(t, filepath.Join(dir, "root"))
	want := []string{filepath.Join(dir, "root"), filepath.Join(dir, "a"), filepath.Join(dir, "b")}
	if !slices.Equal(got, want) {
		t.Errorf("stackFolders = %v, want %v", got, want)
	}
}

// A module stands alone (issue 19): it reaches nothing outside its own folder
// through path.module (the registration module found its tool through
// ${path.module}/../../.. before), and it has an example root that calls it as
// terraform-aws-modules do, which make test validates with both engines.
func TestModulesStandAlone(t *testing.T) {
	modules, _ := filepath.Glob(repo.Path("terraform", "modules", "*"))
	if len(modules) < 6 {
		t.Fatalf("found %d modules; the pattern no longer reads them", len(modules))
	}
	outside := regexp.MustCompile(`path\.module\}?/\.\.`)
	for _, m := range modules {
		files, _ := filepath.Glob(filepath.Join(m, "*.tf"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if outside.Match(b) {
				t.Errorf("%s reaches outside its module through path.module: take the path as an input", filepath.Join(filepath.Base(m), filepath.Base(f)))
			}
		}
		example, err := os.ReadFile(filepath.Join(m, "examples", "complete", "main.tf"))
		if err != nil {
			t.Errorf("%s has no examples/complete/main.tf: %v", filepath.Base(m), err)
			continue
		}
		if !regexp.MustCompile(`(?m)^\s*source\s*=\s*"\.\./\.\."\s*$`).Match(example) {
			t.Errorf("%s/examples/complete/main.tf does not call the module (source = \"../..\")", filepath.Base(m))
		}
	}
}
