package webhook

import (
	"slices"
	"testing"
	"time"
)

// The tests in this file kill mutants that make mutate's blind-spot pass found
// alive: conditions of tagless switches, which gremlins itself never tests
// (gremlins#298). Each names the mutation it catches.

// TestBulkFlagFalseSpellings: every spelling of false (false, "false", 0, "0",
// "") is read as false and not unreadable (mutants: `t.s == "0"` and `t.s == ""`
// negated in flag's UnmarshalJSON, which make those spellings unreadable).
func TestBulkFlagFalseSpellings(t *testing.T) {
	for _, v := range []string{`false`, `"false"`, `0`, `"0"`, `""`, `null`} {
		body := `{"meta":{"v":1,"action":"updated","object":"deal","id":125,"company_id":1,"timestamp":1709913800,"is_bulk_update":` + v + `},
			"current":{"id":125},"previous":{"id":125}}`
		e, err := Decode([]byte(body))
		if err != nil {
			t.Fatalf("is_bulk_update %s: %v", v, err)
		}
		if e.Bulk || slices.Contains(e.Unreadable, "meta.is_bulk_update") {
			t.Errorf("is_bulk_update %s: bulk %v, unreadable %q; want false and readable", v, e.Bulk, e.Unreadable)
		}
	}
}

// TestUnixTimeUnitBoundaries: a Unix time of exactly 1e14 is read as microseconds
// and one of exactly 1e11 as milliseconds: both are 1973-03-03 09:46:40 UTC; one
// of exactly 1e17, beyond any plausible microsecond value, is no time (mutants:
// `a >= 1e14` and `a >= 1e11` as `>`, which read them as milliseconds and as
// seconds, the year 5138; `a >= 1e17` as `>`, which reads 1e17 as microseconds,
// the year 5138 too).
func TestUnixTimeUnitBoundaries(t *testing.T) {
	for ts, want := range map[string]time.Time{
		`100000000000000`:    time.Date(1973, 3, 3, 9, 46, 40, 0, time.UTC),
		`100000000000`:       time.Date(1973, 3, 3, 9, 46, 40, 0, time.UTC),
		`100000000000000000`: {},
	} {
		body := `{"meta":{"v":1,"action":"updated","object":"deal","id":125,"company_id":1,"timestamp":` + ts + `},
			"current":{"id":125},"previous":{"id":125}}`
		e, err := Decode([]byte(body))
		if err != nil {
			t.Fatalf("timestamp %s: %v", ts, err)
		}
		if !e.Timestamp.Equal(want) {
			t.Errorf("timestamp %s read as %s, want %s", ts, e.Timestamp, want)
		}
	}
}

// TestEntityIDFromTheObjects: without an entity id in meta, the event's comes from
// current (v1) or previous, read as members (mutant: `i >= 0` as `i > 0` in
// readMembers, which drops objectNames[0], the id).
func TestEntityIDFromTheObjects(t *testing.T) {
	for _, tt := range []struct{ name, body string }{
		{"v1 current", `{"meta":{"v":1,"action":"updated","object":"deal","company_id":1,"timestamp":1709913800},
			"current":{"title":"t","id":125},"previous":{"title":"s"}}`},
		{"v1 previous", `{"meta":{"v":1,"action":"deleted","object":"deal","company_id":1,"timestamp":1709913800},
			"current":null,"previous":{"id":125,"title":"t"}}`},
	} {
		e, err := Decode([]byte(tt.body))
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if e.EntityID != "125" {
			t.Errorf("%s: entity id %q, want 125", tt.name, e.EntityID)
		}
	}
}
