package test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"
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
