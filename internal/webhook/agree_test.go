package webhook

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
	"time"
)

// TestVersionsAgree decodes the same change as v1 and as v2 delivered it. v1 sends
// whole objects (references as objects in previous and as ids in current, keys only
// previous has), v2 only what changed: the records must tell the same story, on
// every field both formats carry.
func TestVersionsAgree(t *testing.T) {
	for _, pair := range []struct{ v1, v2 string }{
		{"v1/deal-updated-full", "v2/deal-change-stage"},
	} {
		t.Run(pair.v1, func(t *testing.T) {
			a, err := Decode(mustFixture(t, pair.v1))
			if err != nil {
				t.Fatal(err)
			}
			b, err := Decode(mustFixture(t, pair.v2))
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range []struct {
				name   string
				v1, v2 any
			}{
				{"action", a.Action, b.Action},
				{"entity", a.Entity, b.Entity},
				{"entity_id", a.EntityID, b.EntityID},
				{"company_id", a.CompanyID, b.CompanyID},
				{"user_id", a.UserID, b.UserID},
				{"host", a.Host, b.Host},
				{"bulk", a.Bulk, b.Bulk},
				{"timestamp", a.Timestamp, b.Timestamp.Truncate(time.Second)}, // v1 has seconds
				{"deal", *a.Deal, *b.Deal},
				{"unreadable", a.Unreadable, b.Unreadable},
			} {
				if !reflect.DeepEqual(f.v1, f.v2) {
					t.Errorf("%s: v1 %+v, v2 %+v", f.name, f.v1, f.v2)
				}
			}
			// v1 also names fields v2 dropped (stage_order_nr, say): compare on v2's.
			var v2 struct{ Data map[string]json.RawMessage }
			if err := json.Unmarshal(mustFixture(t, pair.v2), &v2); err != nil {
				t.Fatal(err)
			}
			both := slices.DeleteFunc(slices.Clone(a.ChangedFields), func(k string) bool { _, ok := v2.Data[k]; return !ok })
			if !slices.Equal(both, b.ChangedFields) {
				t.Errorf("changed fields: v1 %q (%q on v2's fields), v2 %q", a.ChangedFields, both, b.ChangedFields)
			}
			if len(b.ChangedFields) == 0 || a.Deal == nil || !a.Deal.PreviousStageID.Valid {
				t.Errorf("the pair shows no stage change: v1 %+v, v2 %+v", a, b)
			}
		})
	}
}
