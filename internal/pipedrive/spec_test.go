package pipedrive

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/webhook"
)

// The objects and actions a registration accepts are Pipedrive's own: v1's are the
// webhooks API's OpenAPI enum without lead (v2 only) plus activityType (v1 only);
// v2's are the v2 AsyncAPI description's meta.entity enum.
func TestEventsAreTheSpecs(t *testing.T) {
	spec, err := os.ReadFile(pipedrivetest.SpecPath())
	if err != nil {
		t.Fatal(err)
	}
	enum := func(property string) []string {
		text := string(spec)
		i := strings.Index(text, "\n                "+property+":\n") // the request body's, by its indentation
		if i < 0 {
			t.Fatalf("no %s in the spec", property)
		}
		var values []string
		lines := strings.Split(text[i+1:], "\n")
		for _, line := range lines[1:] {
			trimmed := strings.TrimSpace(line)
			if strings.HasPrefix(trimmed, "- ") {
				values = append(values, strings.Trim(strings.TrimPrefix(trimmed, "- "), `'"`))
			} else if len(values) > 0 || strings.HasPrefix(trimmed, "description:") {
				break
			}
		}
		return values
	}
	v1 := slices.DeleteFunc(slices.Clone(EventObjects[webhook.V1]), func(o string) bool { return o == "activityType" })
	v1 = slices.Insert(v1, slices.Index(v1, "note"), "lead")
	if got := enum("event_object"); !slices.Equal(got, v1) {
		t.Errorf("the spec's event objects %q, ours for v1 (with lead, without activityType) %q", got, v1)
	}
	if got, want := asyncEntities(t), EventObjects[webhook.V2][:len(EventObjects[webhook.V2])-1]; !slices.Equal(got, want) {
		t.Errorf("the v2 AsyncAPI description's entities %q, ours for v2 %q", got, want)
	}
	if got := enum("event_action"); !slices.Equal(got, EventActions) {
		t.Errorf("the spec's event actions %q, ours %q", got, EventActions)
	}
}

// asyncEntities is the v2 AsyncAPI description's meta.entity enum.
func asyncEntities(t *testing.T) []string {
	t.Helper()
	spec, err := os.ReadFile(filepath.Join(pipedrivetest.FixtureDir(), "webhooks-v2-asyncapi.yml"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(spec)
	i := strings.Index(text, "\n        entity:\n")
	if i < 0 {
		t.Fatal("no meta.entity in the AsyncAPI description")
	}
	var values []string
	for _, line := range strings.Split(text[i+1:], "\n")[1:] {
		trimmed := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trimmed, "- "):
			values = append(values, strings.TrimPrefix(trimmed, "- "))
		case len(values) > 0:
			return values
		}
	}
	return values
}
