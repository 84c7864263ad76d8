package pipedrive

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
)

// The objects and actions a registration accepts are the webhooks API's own, from
// its OpenAPI description (plus activityType, which only v1 delivers).
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
	objects := slices.DeleteFunc(slices.Clone(EventObjects), func(o string) bool { return slices.Contains(V1Only, o) })
	if got := enum("event_object"); !slices.Equal(got, objects) {
		t.Errorf("the spec's event objects %q, ours %q", got, objects)
	}
	if got := enum("event_action"); !slices.Equal(got, EventActions) {
		t.Errorf("the spec's event actions %q, ours %q", got, EventActions)
	}
}
