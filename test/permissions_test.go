package test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/repo"
)

// terraform/bootstrap/stack-permissions.json derives the e2e role's permissions
// from the stack: what each Terraform type needs to be created, read, updated and
// deleted. The bootstrap's mocked test checks the role is allowed every action it
// lists; this one that it lists every resource, data source and ephemeral type of
// the sandbox stack (its root and the modules it uses), so a new resource type
// cannot arrive without its permissions. (No such table before issue 21: the
// update-only actions had been left out.)
func TestStackPermissionsCoverEveryType(t *testing.T) {
	raw, err := os.ReadFile(repo.Path("terraform", "bootstrap", "stack-permissions.json"))
	if err != nil {
		t.Fatal(err)
	}
	var table map[string]json.RawMessage
	if err := json.Unmarshal(raw, &table); err != nil {
		t.Fatal(err)
	}
	dirs := stackFolders(t, repo.Path("terraform", "environments", "sandbox"))
	if len(dirs) < 6 {
		t.Fatalf("found %d folders of the sandbox stack; the pattern no longer reads its modules", len(dirs))
	}
	types := map[string][]string{}
	for _, d := range dirs {
		files, _ := filepath.Glob(filepath.Join(d, "*.tf"))
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range resourceType.FindAllSubmatch(b, -1) {
				key := string(m[2])
				if string(m[1]) != "resource" {
					key = string(m[1]) + "." + key
				}
				types[key] = append(types[key], filepath.Base(d))
			}
		}
	}
	for typ, where := range types {
		if _, ok := table[typ]; !ok {
			t.Errorf("%s (in %v) is not in stack-permissions.json: say what it needs to be created, read, updated and deleted", typ, where)
		}
	}
	for typ := range table {
		if _, ok := types[typ]; !ok && typ != "_about" && typ != "_e2e suite" {
			t.Errorf("stack-permissions.json lists %s, which the sandbox stack no longer has", typ)
		}
	}
}
