package test

import (
	"regexp"
	"slices"
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/receiver"
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
