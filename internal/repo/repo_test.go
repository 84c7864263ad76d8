package repo

import (
	"os"
	"strings"
	"testing"
)

func TestRootHoldsGoMod(t *testing.T) {
	mod, err := os.ReadFile(Path("go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(mod), "module github.com/dissertation-editor/pipedrive-webhooks\n") {
		t.Errorf("%s is not this repository's go.mod", Path("go.mod"))
	}
}
