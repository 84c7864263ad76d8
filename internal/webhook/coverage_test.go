package webhook

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
)

// TestFixturesCoverTheV2Spec checks that every event Pipedrive's AsyncAPI description
// of webhooks v2 (testdata/pipedrive/webhooks-v2-asyncapi.yml) lists, for every entity
// of its meta.entity enum, has a v2 fixture, and so an expected record. The one gap
// is Pipedrive's own: its published example of a deleted user is a change
// (user-change-2, a deactivation).
func TestFixturesCoverTheV2Spec(t *testing.T) {
	spec, err := os.ReadFile(filepath.Join(pipedrivetest.FixtureDir(), "webhooks-v2-asyncapi.yml"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(spec)
	i := strings.Index(text, "\n        entity:\n") // Meta's, by its indentation
	if i < 0 {
		t.Fatal("no meta.entity in the spec")
	}
	var entities []string
	for _, line := range strings.Split(text[i+1:], "\n")[1:] {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "- ") {
			entities = append(entities, strings.TrimPrefix(trimmed, "- "))
		} else if len(entities) > 0 {
			break
		}
	}
	if len(entities) < 16 {
		t.Fatalf("read %d entities from the spec: %q", len(entities), entities)
	}
	all, err := pipedrivetest.Fixtures()
	if err != nil {
		t.Fatal(err)
	}
	have := map[string]bool{}
	for _, f := range all {
		if f.Version != V2 {
			continue
		}
		e, err := Decode(f.Body)
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		have[e.RawAction+"."+e.Entity] = true
	}
	for _, entity := range entities {
		for _, action := range []string{ActionCreate, ActionChange, ActionDelete} {
			event := action + "." + entity
			if !strings.Contains(text, "\n  "+event+":\n") {
				continue // not a channel of the spec
			}
			if !have[event] && event != "delete.user" {
				t.Errorf("no v2 fixture for %s", event)
			}
		}
	}
}
