package pipedrive

import (
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/webhook"
)

// One vocabulary: a subscription's action is the record's, from webhook's one
// table of v1 words, except merge, which v2 cannot subscribe to. Tried: merged
// mapped to merge in V2Action — the merged row fails.
func TestV2ActionIsTheRecordsWord(t *testing.T) {
	tests := []struct{ in, record, subscription string }{
		{"added", "create", "create"},
		{"updated", "change", "change"},
		{"deleted", "delete", "delete"},
		{"merged", "merge", "change"},
		{"merge", "merge", "change"},
		{"create", "create", "create"},
		{"change", "change", "change"},
		{"delete", "delete", "delete"},
		{"*", "*", "*"},
	}
	for _, tt := range tests {
		if got := webhook.Action(tt.in); got != tt.record {
			t.Errorf("webhook.Action(%q) = %q, want %q", tt.in, got, tt.record)
		}
		if got := V2Action(tt.in); got != tt.subscription {
			t.Errorf("V2Action(%q) = %q, want %q", tt.in, got, tt.subscription)
		}
	}
	if len(webhook.V1Actions) != 4 {
		t.Errorf("webhook.V1Actions has %d words, want v1's four", len(webhook.V1Actions))
	}
}

// One flag parser: the API's is_active reads as the receiver's flags do, and
// refuses what they find unreadable. Tried: Flag reading "2" as true — fails.
func TestFlagIsParseBool(t *testing.T) {
	for _, in := range []string{`1`, `0`, `true`, `false`, `"1"`, `"0"`, `"true"`, `"false"`, `null`, `""`, `2`, `"yes"`, `{}`, `[1]`} {
		var f Flag
		err := f.UnmarshalJSON([]byte(in))
		want, ok := webhook.ParseBool([]byte(in))
		if (err == nil) != ok || bool(f) != want {
			t.Errorf("Flag(%s) = %v, %v; ParseBool = %v, %v", in, bool(f), err, want, ok)
		}
	}
	for in, want := range map[string]bool{`1`: true, `"true"`: true, `0`: false, `null`: false} {
		if v, ok := webhook.ParseBool([]byte(in)); v != want || !ok {
			t.Errorf("ParseBool(%s) = %v, %v; want %v, true", in, v, ok, want)
		}
	}
	for _, in := range []string{`2`, `"yes"`, `{}`} {
		if _, ok := webhook.ParseBool([]byte(in)); ok {
			t.Errorf("ParseBool(%s) is ok; want it refused", in)
		}
	}
}
