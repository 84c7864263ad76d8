package receiver

import (
	"bytes"
	"cmp"
	"log/slog"
	"testing"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/jsonlog"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/logtest"
	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
)

// TestV2MergeRecordsPair checks that the two deliveries of one merge in webhooks v2
// (the delete of the merged deal, with meta.merged_to_id, and the change of the one
// it went into, with meta.merged_from_id) give records that README's merge query
// pairs: coalesce(merged_to_id, entity_id) is the deal that remains and
// coalesce(merged_from_id, entity_id) the one merged into it, the same in both.
func TestV2MergeRecordsPair(t *testing.T) {
	type pair struct{ entity, survivor, merged, action string }
	webhookOf := func(name string) map[string]any {
		t.Helper()
		f, err := pipedrivetest.GetFixture(name)
		if err != nil {
			t.Fatal(err)
		}
		logs := &logtest.Buffer{}
		h := New(slog.New(jsonlog.NewHandler(logs, nil)), Config{Credentials: static})
		assertReceived(t, (&harness{handler: h}).do(post(bytes.NewReader(f.Body))))
		w, _ := logs.Records(t)[0]["webhook"].(map[string]any)
		return w
	}
	field := func(w map[string]any, k string) string { s, _ := w[k].(string); return s }
	key := func(w map[string]any) pair {
		return pair{
			entity:   field(w, "entity"),
			survivor: cmp.Or(field(w, "merged_to_id"), field(w, "entity_id")),
			merged:   cmp.Or(field(w, "merged_from_id"), field(w, "entity_id")),
			action:   field(w, "action"),
		}
	}
	del, change := key(webhookOf("v2/deal-merge-delete")), key(webhookOf("v2/deal-merge-change"))
	if want := (pair{"deal", "123", "124", "delete"}); del != want {
		t.Errorf("the delete pairs as %+v, want %+v", del, want)
	}
	if want := (pair{"deal", "123", "124", "change"}); change != want {
		t.Errorf("the change pairs as %+v, want %+v", change, want)
	}
	// An ordinary change is no half of a merge: the query's filter leaves it out.
	if w := webhookOf("v2/deal-change"); w["merged_to_id"] != nil || w["merged_from_id"] != nil {
		t.Errorf("an ordinary change carries merge fields: %v", w)
	}
}
