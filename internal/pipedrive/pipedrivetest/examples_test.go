package pipedrivetest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/repo"
)

// TestPublishedV2ExamplesCopied checks the pipeline and stage fixtures against
// Pipedrive's published v2 examples in the monorepo's ../shared folder, which only
// the project's own machines have: they are copied byte for byte.
func TestPublishedV2ExamplesCopied(t *testing.T) {
	shared := repo.Path("..", "shared", "pipedrive", "webhooks-v2-examples")
	var names []string
	for _, pattern := range []string{"pipeline-*.json", "stage-*.json"} {
		m, _ := filepath.Glob(filepath.Join(shared, pattern))
		names = append(names, m...)
	}
	if len(names) == 0 {
		t.Skipf("no published examples under %s (a user's clone)", shared)
	}
	for _, p := range names {
		original, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		copied, err := os.ReadFile(filepath.Join(FixtureDir(), "v2", filepath.Base(p)))
		if err != nil {
			t.Errorf("%s: not copied into testdata: %v", filepath.Base(p), err)
			continue
		}
		if !bytes.Equal(copied, original) {
			t.Errorf("%s: testdata copy differs from Pipedrive's published example", filepath.Base(p))
		}
	}
}
