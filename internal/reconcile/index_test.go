package reconcile

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/receiver"
)

func TestParseLine(t *testing.T) {
	for _, tt := range []struct {
		name, line string
		ok, err    bool
		want       Record
	}{
		{"a delivery", `{"msg":"pipedrive webhook","webhook":{"entity":"deal","entity_id":"8","action":"change","timestamp":"2022-11-24T15:11:55.724Z","dedup_key":"k"}}`, true, false,
			Record{Msg: receiver.MsgDelivery, Entity: "deal", EntityID: "8", Action: "change", Time: time.Date(2022, 11, 24, 15, 11, 55, 724e6, time.UTC), DedupKey: "k"}},
		{"a missed change", `{"msg":"pipedrive change missed","source":"reconciliation","webhook":{"entity":"note","entity_id":"3","action":"delete","timestamp":"2022-11-24T15:11:55Z","dedup_key":"d"}}`, true, false,
			Record{Msg: MsgMissed, Source: Source, Entity: "note", EntityID: "3", Action: "delete", Time: time.Date(2022, 11, 24, 15, 11, 55, 0, time.UTC), DedupKey: "d"}},
		{"another record", `{"msg":"receiver started","mode":"local"}`, false, false, Record{}},
		{"no entity id", `{"msg":"pipedrive webhook","webhook":{"entity":"deal"}}`, false, false, Record{}},
		{"blank", `  `, false, false, Record{}},
		{"not JSON", `listening on 127.0.0.1:8080`, false, true, Record{}},
		{"an odd timestamp", `{"msg":"pipedrive webhook","webhook":{"entity":"deal","entity_id":"8","timestamp":"yesterday"}}`, false, true, Record{}},
		{"a torn line", `{"msg":"pipedrive webhook","webhook":{"ent`, false, true, Record{}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got, ok, err := ParseLine([]byte(tt.line))
			if ok != tt.ok || (err != nil) != tt.err || got != tt.want {
				t.Errorf("ParseLine = %+v, %v, %v; want %+v, %v, error %v", got, ok, err, tt.want, tt.ok, tt.err)
			}
			if err != nil && !errors.Is(err, ErrUnreadableLine) {
				t.Errorf("%v does not wrap ErrUnreadableLine", err)
			}
		})
	}
}

func FuzzParseLine(f *testing.F) {
	f.Add([]byte(`{"msg":"pipedrive webhook","webhook":{"entity":"deal","entity_id":"8","action":"change","timestamp":"2022-11-24T15:11:55.724Z"}}`))
	f.Add([]byte(`{"msg":"pipedrive change missed","webhook":{"entity":"x","entity_id":"1","dedup_key":"d","timestamp":"1"}}`))
	f.Add([]byte(`not json`))
	f.Fuzz(func(t *testing.T, line []byte) {
		r, ok, err := ParseLine(line)
		if err != nil && (ok || !errors.Is(err, ErrUnreadableLine)) {
			t.Errorf("an error with ok, or not ErrUnreadableLine: %v", err)
		}
		if ok && (r.Entity == "" || r.EntityID == "" || (r.Msg != receiver.MsgDelivery && r.Msg != MsgMissed)) {
			t.Errorf("ok for %+v", r)
		}
	})
}

// A change is delivered when a delivery of the same entity is stamped within
// [t - 1 s, t + MatchSlack]; a delete by any delete (or v1 merge) of it.
func TestDelivered(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)
	ix := newIndex([]Record{
		{Msg: receiver.MsgDelivery, Entity: "deal", EntityID: "1", Action: "change", Time: t0.Add(300 * time.Millisecond)},
		{Msg: receiver.MsgDelivery, Entity: "deal", EntityID: "2", Action: "merge", Time: t0},
		{Msg: receiver.MsgDelivery, Entity: "person", EntityID: "1", Action: "delete", Time: t0},
		{Msg: MsgMissed, Entity: "deal", EntityID: "3", DedupKey: "k"},
	})
	for _, tt := range []struct {
		entity, id, action string
		at                 time.Time
		want               bool
	}{
		{"deal", "1", "change", t0, true},
		{"deal", "1", "change", t0.Add(-MatchSlack + 300*time.Millisecond), true},
		{"deal", "1", "change", t0.Add(-MatchSlack), false},
		{"deal", "1", "change", t0.Add(1301 * time.Millisecond), false},
		{"deal", "1", "delete", t0, false},
		{"deal", "2", "delete", t0.Add(time.Hour), true},
		{"person", "1", "delete", t0.Add(-time.Hour), true},
		{"person", "1", "change", t0, true},
		{"organization", "1", "change", t0, false},
		{"deal", "3", "change", t0, false},
	} {
		if got := ix.delivered(tt.entity, tt.id, tt.action, tt.at); got != tt.want {
			t.Errorf("delivered(%s %s %s at %s) = %v", tt.entity, tt.id, tt.action, tt.at.Format(time.TimeOnly+".000"), got)
		}
	}
	if !ix.recorded["k"] || len(ix.recorded) != 1 {
		t.Errorf("recorded keys: %v", ix.recorded)
	}
}

func TestFileLogSkipsOtherLines(t *testing.T) {
	f := &FileLog{Path: "audit.jsonl"}
	got, err := f.read(strings.NewReader("==> compiling the receiver\n" +
		`{"msg":"receiver started"}` + "\n" +
		`{"msg":"pipedrive webhook","webhook":{"entity":"deal","entity_id":"8","timestamp":"2026-12-01T08:00:00Z"}}` + "\n" +
		`{"msg":"pipedrive webhook","webhook":{"ent`))
	if err != nil || len(got) != 1 || got[0].EntityID != "8" || f.Skipped != 2 {
		t.Errorf("records %+v, skipped %d, %v", got, f.Skipped, err)
	}
}

func TestDailyBudgetAndDays(t *testing.T) {
	if got := DailyBudget(2, 3); got != 180000 {
		t.Errorf("DailyBudget(2, 3) = %d", got)
	}
	now := time.Date(2026, 12, 1, 23, 59, 0, 0, time.UTC)
	st := &State{Day: "2026-12-01", SpentToday: 90}
	b := &budget{limit: 100, state: st, now: func() time.Time { return now }}
	if err := b.charge(10); err != nil || st.SpentToday != 100 {
		t.Fatalf("up to the limit: %v, %d", err, st.SpentToday)
	}
	if err := b.charge(1); !errors.Is(err, ErrBudget) || b.affords(1) {
		t.Errorf("past the limit: %v", err)
	}
	now = now.Add(2 * time.Minute) // a new day, a new allowance
	if !b.affords(100) || b.charge(20) != nil || st.Day != "2026-12-02" || st.SpentToday != 20 || b.spent != 30 {
		t.Errorf("the next day: %+v, spent %d", st, b.spent)
	}
}
