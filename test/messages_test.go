package test

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/receiver"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/repo"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/senders"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/watchdog"
)

// TestFiltersSelectTheCodesMessages: every message a metric filter selects
// ($.msg = "…") is one of the code's named messages, so that renaming a message in
// the code or misspelling it in metrics.json fails here, not in a silent metric.
// Tried: MsgUnauthorized renamed "unauthorised webhook request" — this test fails
// (and TestMetricsComeFromTheRecordsTheCodeWrites with it).
func TestFiltersSelectTheCodesMessages(t *testing.T) {
	code := []string{
		receiver.MsgDelivery, receiver.MsgMalformed, receiver.MsgUnauthorized, receiver.MsgStarted,
		receiver.MsgSenderCheck, watchdog.MsgCheck, senders.MsgSenderRanges,
	}
	msg := regexp.MustCompile(`\$\.msg\s*=\s*"([^"]*)"`)
	used := map[string]bool{}
	for group, metrics := range loadMetrics(t) {
		for name, def := range metrics {
			for _, m := range msg.FindAllStringSubmatch(def.Pattern, -1) {
				used[m[1]] = true
				if !slices.Contains(code, m[1]) {
					t.Errorf("%s/%s selects msg %q, which no named message of the code is", group, name, m[1])
				}
			}
		}
	}
	// And every named message is counted by some metric (the start's by ColdStarts).
	for _, m := range code {
		if !used[m] {
			t.Errorf("no metric filter selects %q", m)
		}
	}
}

// TestTheRouteIsTheCodes: the API's route is built from one Terraform local, and
// that local is the receiver's own WebhookPath, so that the route Pipedrive
// delivers to and the one the handler serves cannot part. Tried: webhook_path
// changed to "/webhooks/pipedrive/" — this test fails.
func TestTheRouteIsTheCodes(t *testing.T) {
	def := regexp.MustCompile(`(?m)^\s*webhook_path\s*=\s*"([^"]*)"`)
	var found []string
	err := filepath.WalkDir(filepath.Join(repo.Root(), "terraform"), func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".tf" || strings.Contains(path, string(filepath.Separator)+".terraform") {
			return err
		}
		b, err := os.ReadFile(path)
		for _, m := range def.FindAllSubmatch(b, -1) {
			found = append(found, string(m[1]))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(found) != 1 || found[0] != receiver.WebhookPath {
		t.Errorf("Terraform defines webhook_path as %q; want it defined once, as %q (receiver.WebhookPath)", found, receiver.WebhookPath)
	}
}
