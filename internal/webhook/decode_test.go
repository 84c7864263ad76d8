package webhook

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
)

func TestDecodeEveryFixture(t *testing.T) {
	all, err := pipedrivetest.Fixtures()
	if err != nil {
		t.Fatal(err)
	}
	keys := map[string]string{}
	for _, f := range all {
		t.Run(f.Name, func(t *testing.T) {
			e, err := Decode(f.Body)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if e.Version != f.Version || e.Entity != f.Entity {
				t.Errorf("version %q entity %q, want %q %q", e.Version, e.Entity, f.Version, f.Entity)
			}
			if !slices.Contains([]string{ActionCreate, ActionChange, ActionDelete, ActionMerge}, e.Action) {
				t.Errorf("action %q (raw %q) not normalised", e.Action, e.RawAction)
			}
			if e.EntityID == "" || e.CompanyID == "" || e.Timestamp.IsZero() || e.Attempt < 1 || len(e.DedupKey) != 32 {
				t.Errorf("incomplete event: %+v", e)
			}
			if (e.Entity == "deal") != (e.Deal != nil) {
				t.Errorf("entity %q with deal fields %v", e.Entity, e.Deal)
			}
			if e.Action == ActionChange && len(e.ChangedFields) == 0 {
				t.Errorf("a change with no changed fields")
			}
			if other, dup := keys[e.DedupKey]; dup {
				t.Errorf("dedup key %s shared with %s", e.DedupKey, other)
			}
			keys[e.DedupKey] = f.Name
		})
	}
}

func mustFixture(t *testing.T, name string) []byte {
	t.Helper()
	f, err := pipedrivetest.GetFixture(name)
	if err != nil {
		t.Fatal(err)
	}
	return f.Body
}

func TestDecodeFields(t *testing.T) {
	tests := []struct {
		fixture string
		check   func(t *testing.T, e *Event)
	}{
		{"v2/deal-change", func(t *testing.T, e *Event) {
			want := Event{Version: V2, Action: ActionChange, RawAction: "change", Entity: "deal", EntityID: "8",
				EventID: "df47d877-b58c-4886-91cd-1aa83e1d7366", Attempt: 1, CompanyID: "8087566", UserID: "12415231",
				WebhookID: "4710827", CorrelationID: "121e5331-7ec6-4af8-9994-0e52fb489044", Host: "pd-us.pipedrive.com",
				Timestamp: time.Date(2022, 11, 24, 15, 11, 55, 724e6, time.UTC)}
			same(t, e, &want)
			equal(t, "changed fields", e.ChangedFields, []string{"custom_fields"})
			d := e.Deal
			if d.Title != "Sample Org deal" || d.Status != "open" || d.StageID.N != 2 || d.Value.F != 100 || d.Currency != "EUR" ||
				d.PreviousStageID.Valid || d.PreviousStatus != "" {
				t.Errorf("deal %+v", d)
			}
		}},
		{"v1/deal-updated", func(t *testing.T, e *Event) {
			want := Event{Version: V1, Action: ActionChange, RawAction: "updated", Entity: "deal", EntityID: "123",
				Attempt: 1, CompanyID: "12345678", UserID: "98765", ChangeSource: "app",
				Host: "phd-advantage.pipedrive.com", Timestamp: time.Unix(1709913600, 0).UTC()}
			same(t, e, &want)
			// v1 sends the whole previous object: only stage_id differs.
			equal(t, "changed fields", e.ChangedFields, []string{"stage_id"})
			d := e.Deal
			if d.StageID.N != 1 || !d.PreviousStageID.Valid || d.PreviousStageID.N != 0 || d.Status != "open" ||
				d.PreviousStatus != "" || d.Value.F != 2786.08 || d.Currency != "USD" || d.Title != "Jane Doe - Dissertation Editing" {
				t.Errorf("deal %+v", d)
			}
		}},
		{"v1/deal-added", func(t *testing.T, e *Event) {
			if e.Attempt != 3 || e.Action != ActionCreate || e.WebhookID != "1345147" || e.ChangeSource != "api" {
				t.Errorf("event %+v", e)
			}
			if e.Deal.Value.F != 1200.50 || e.ChangedFields != nil {
				t.Errorf("value given as a string: %+v, changed %v", e.Deal, e.ChangedFields)
			}
		}},
		{"v1/deal-merged", func(t *testing.T, e *Event) {
			if e.Action != ActionMerge || !e.Bulk || e.EntityID != "125" || e.WebhookID != "1345147" ||
				!e.Timestamp.Equal(time.Unix(1709913800, 0)) {
				t.Errorf("event %+v", e)
			}
			equal(t, "changed fields", e.ChangedFields, nil)
			if e.Deal.Status != "won" || e.Deal.PreviousStatus != "open" || e.Deal.PreviousStageID.N != 2 {
				t.Errorf("deal %+v", e.Deal)
			}
		}},
		{"v1/user-updated", func(t *testing.T, e *Event) {
			if e.Attempt != 2 || e.Entity != "user" || e.EntityID != "98765" {
				t.Errorf("event %+v", e)
			}
			equal(t, "changed fields", e.ChangedFields, []string{"lang"})
		}},
		{"v1/person-deleted", func(t *testing.T, e *Event) {
			if e.Action != ActionDelete || e.Attempt != 4 || e.EntityID != "77" || e.ChangedFields != nil {
				t.Errorf("event %+v", e)
			}
		}},
		{"v2/deal-delete", func(t *testing.T, e *Event) {
			if e.Deal.Title != "Sample Org deal" || e.Deal.StageID.N != 2 || e.Deal.PreviousStageID.Valid || e.ChangedFields != nil {
				t.Errorf("deal from previous: %+v", e.Deal)
			}
		}},
		{"v2/lead-change", func(t *testing.T, e *Event) {
			if e.EntityID != "b1810230-6c0d-11ed-9826-a53d0eb706a5" || e.Deal != nil {
				t.Errorf("event %+v", e)
			}
			equal(t, "changed fields", e.ChangedFields, []string{"is_archived", "next_activity_id", "update_time", "value"})
		}},
		{"v2/user-change", func(t *testing.T, e *Event) {
			if !e.Timestamp.Equal(time.Unix(1669304542, 0)) || e.EventID != "12415231" {
				t.Errorf("unix timestamp: %+v", e)
			}
			equal(t, "changed fields", e.ChangedFields, []string{"lang", "modified"})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			e, err := Decode(mustFixture(t, tt.fixture))
			if err != nil {
				t.Fatal(err)
			}
			tt.check(t, e)
		})
	}
}

// same compares the scalar fields of an event.
func same(t *testing.T, got, want *Event) {
	t.Helper()
	g := *got
	g.DedupKey, g.ChangedFields, g.Deal = "", nil, nil
	if !reflect.DeepEqual(g, *want) {
		t.Errorf("event\n got %+v\nwant %+v", g, *want)
	}
}

func equal(t *testing.T, what string, got, want []string) {
	t.Helper()
	if !slices.Equal(got, want) {
		t.Errorf("%s: got %q, want %q", what, got, want)
	}
}

// A re-registration (new credentials, a rotation) creates a new webhook: while both
// exist, each delivers the event, and the key must count it once.
func TestDedupKeySurvivesReRegistration(t *testing.T) {
	for _, tt := range []struct{ fixture, from, to string }{
		{"v2/deal-change", `"webhook_id": "4710827"`, `"webhook_id": "4710999"`},
		{"v1/deal-added", `"webhook_id": "1345147"`, `"webhook_id": "1345999"`},
	} {
		body := string(mustFixture(t, tt.fixture))
		if !strings.Contains(body, tt.from) {
			t.Fatalf("%s has no %s", tt.fixture, tt.from)
		}
		a, err1 := Decode([]byte(body))
		b, err2 := Decode([]byte(strings.Replace(body, tt.from, tt.to, 1)))
		if err1 != nil || err2 != nil || a.DedupKey != b.DedupKey || a.WebhookID == b.WebhookID {
			t.Errorf("%s: keys %s and %s for one event delivered by two webhooks (%v %v)", tt.fixture, a.DedupKey, b.DedupKey, err1, err2)
		}
	}
}

func TestDedupKeyIgnoresRetries(t *testing.T) {
	for _, tt := range []struct{ fixture, from, to, other string }{
		{"v2/deal-change", `"attempt": 1`, `"attempt": 4`, `"timestamp": "2022-11-24T15:11:55.725Z"`},
		{"v1/deal-added", `"retry": 2`, `"retry": 3`, `"timestamp": 1709913701`},
	} {
		body := string(mustFixture(t, tt.fixture))
		first, err1 := Decode([]byte(body))
		retry, err2 := Decode([]byte(strings.Replace(body, tt.from, tt.to, 1)))
		if err1 != nil || err2 != nil {
			t.Fatal(err1, err2)
		}
		if first.Attempt == retry.Attempt || first.DedupKey != retry.DedupKey {
			t.Errorf("%s: attempts %d/%d keys %s/%s", tt.fixture, first.Attempt, retry.Attempt, first.DedupKey, retry.DedupKey)
		}
		ts := tt.other[:strings.Index(tt.other, ":")+2]
		i := strings.Index(body, ts)
		next := body[:i] + tt.other + body[i+strings.IndexAny(body[i:], ",\n}"):]
		other, _ := Decode([]byte(next))
		if other == nil || other.DedupKey == first.DedupKey {
			t.Errorf("%s: another delivery has the same dedup key", tt.fixture)
		}
	}
}

func TestDecodeLiberal(t *testing.T) {
	tests := []struct {
		name, body string
		check      func(e *Event) bool
	}{
		{"ids as numbers in v2", `{"meta":{"version":"2.0","action":"create","entity":"deal","entity_id":42,"company_id":1,"user_id":2,"webhook_id":3,"attempt":"2"}}`,
			func(e *Event) bool {
				return e.EntityID == "42" && e.CompanyID == "1" && e.WebhookID == "3" && e.Attempt == 2
			}},
		{"huge id keeps its digits", `{"meta":{"version":"2.0","action":"create","entity":"deal","entity_id":123456789012345678901234567890}}`,
			func(e *Event) bool { return e.EntityID == "123456789012345678901234567890" }},
		{"unknown entity and action pass through", `{"meta":{"version":"2.0","action":"archive","entity":"project","entity_id":"1"},"data":{"id":1}}`,
			func(e *Event) bool { return e.Action == "archive" && e.Entity == "project" }},
		{"entity id from data", `{"meta":{"version":"2.0","action":"create","entity":"note"},"data":{"id":9}}`,
			func(e *Event) bool { return e.EntityID == "9" }},
		{"v1 from the event name", `{"v":1,"meta":{"id":5},"event":"deleted.product","previous":{"id":5}}`,
			func(e *Event) bool { return e.Version == V1 && e.Action == ActionDelete && e.Entity == "product" }},
		{"v2 without a version", `{"meta":{"action":"delete","entity":"lead","entity_id":"u-1"},"data":null}`,
			func(e *Event) bool { return e.Version == V2 && e.EntityID == "u-1" }},
		{"timestamp in milliseconds", `{"meta":{"version":"2.0","entity":"deal","timestamp":1669304542123}}`,
			func(e *Event) bool { return e.Timestamp.Equal(time.UnixMilli(1669304542123)) }},
		{"pipedrive's own date format", `{"meta":{"version":"2.0","entity":"deal","timestamp":"2022-11-24 13:14:07"}}`,
			func(e *Event) bool { return e.Timestamp.Equal(time.Date(2022, 11, 24, 13, 14, 7, 0, time.UTC)) }},
		{"unparseable timestamp is dropped", `{"meta":{"version":"2.0","entity":"deal","timestamp":"yesterday"}}`,
			func(e *Event) bool { return e.Timestamp.IsZero() }},
		{"bulk as 1", `{"v":1,"meta":{"action":"updated","object":"deal","is_bulk_update":1}}`,
			func(e *Event) bool { return e.Bulk }},
		{"deal stage as a string", `{"meta":{"version":"2.0","action":"change","entity":"deal"},"data":{"stage_id":"7"},"previous":{"stage_id":6}}`,
			func(e *Event) bool { return e.Deal.StageID.N == 7 && e.Deal.PreviousStageID.N == 6 }},
		{"unknown fields everywhere", `{"extra":[1,{"a":2}],"meta":{"version":"2.0","entity":"deal","new":{"x":1}},"data":{"nested":{"deep":[[]]}}}`,
			func(e *Event) bool { return e.Entity == "deal" }},
		{"leading whitespace", " \n\t{\"meta\":{\"version\":\"2.0\",\"entity\":\"deal\"}}\n",
			func(e *Event) bool { return e.Version == V2 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Decode([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if !tt.check(e) {
				t.Errorf("unexpected event %+v (deal %+v)", e, e.Deal)
			}
		})
	}
}

func TestDecodeRejects(t *testing.T) {
	tests := []struct{ name, body, kind string }{
		{"empty", "", KindEmptyBody},
		{"only whitespace", " \r\n", KindEmptyBody},
		{"invalid json", "{meta:}", KindInvalidJSON},
		{"truncated", `{"meta":{"version":"2.0"`, KindTruncatedJSON},
		{"trailing garbage", `{"meta":{}} x`, KindInvalidJSON},
		{"invalid utf-8", "{\"meta\":{\"entity\":\"\xff\xfe\"}}", KindInvalidUTF8},
		{"array", `[{"meta":{}}]`, KindNotAnObject},
		{"string", `"hello"`, KindNotAnObject},
		{"null", `null`, KindNotAnObject},
		{"missing meta", `{"data":{"id":1}}`, KindMissingMeta},
		{"null meta", `{"meta":null}`, KindMissingMeta},
		{"meta is a string", `{"meta":"x"}`, KindWrongType},
		{"unknown version", `{"meta":{"version":"3.0"}}`, KindUnknownVersion},
		{"no version and no shape", `{"meta":{"action":"create"}}`, KindUnknownVersion},
		{"deep nesting", `{"meta":{"version":"2.0"},"data":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`, KindInvalidJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Decode([]byte(tt.body))
			var de *Error
			if !errors.As(err, &de) {
				t.Fatalf("Decode = %+v, %v; want an *Error of kind %s", e, err, tt.kind)
			}
			if de.Kind != tt.kind {
				t.Errorf("kind %s (%v), want %s", de.Kind, err, tt.kind)
			}
		})
	}
}

// One odd field never costs the whole event: it is dropped, named in Unreadable
// (unreadable_fields in the record), and the ids and the dedup key are kept.
func TestOddFieldsKeepTheEvent(t *testing.T) {
	const head = `"version":"2.0","action":"change","entity":"deal","entity_id":8,"company_id":1,"webhook_id":3`
	tests := []struct {
		name, body string
		unreadable []string
		check      func(e *Event) bool
	}{
		{"entity is an object", `{"meta":{"version":"2.0","entity":{"a":1},"entity_id":8}}`, []string{"meta.entity"},
			func(e *Event) bool { return e.Entity == "" && e.EntityID == "8" }},
		{"attempt is fractional", `{"meta":{` + head + `,"attempt":1.5}}`, []string{"meta.attempt"},
			func(e *Event) bool { return e.Attempt == 1 }},
		{"attempt overflows", `{"meta":{` + head + `,"attempt":1e400}}`, []string{"meta.attempt"},
			func(e *Event) bool { return e.Attempt == 1 }},
		{"stage beyond int64", `{"meta":{` + head + `},"data":{"stage_id":99999999999999999999999}}`, []string{"data.stage_id"},
			func(e *Event) bool { return e.Deal != nil && !e.Deal.StageID.Valid }},
		{"value 1e400", `{"meta":{` + head + `},"data":{"value":1e400,"title":"T"}}`, []string{"data.value"},
			func(e *Event) bool { return e.Deal.Title == "T" && !e.Deal.Value.Valid }},
		{"value NaN", `{"meta":{` + head + `},"data":{"value":"NaN"}}`, []string{"data.value"},
			func(e *Event) bool { return !e.Deal.Value.Valid }},
		{"value is an array", `{"meta":{` + head + `},"data":{"value":[1]}}`, []string{"data.value"},
			func(e *Event) bool { return !e.Deal.Value.Valid }},
		{"previous stage is an object", `{"meta":{` + head + `},"data":{},"previous":{"stage_id":{}}}`, []string{"previous.stage_id"},
			func(e *Event) bool { return slices.Equal(e.ChangedFields, []string{"stage_id"}) }},
		{"data is a string", `{"meta":{` + head + `},"data":"oops"}`, []string{"data"},
			func(e *Event) bool { return e.Deal == nil || e.Deal.Title == "" }},
		{"v1 retry overflows", `{"v":1,"meta":{"action":"updated","object":"deal","id":5},"retry":1e400}`, []string{"retry"},
			func(e *Event) bool { return e.Attempt == 1 && e.EntityID == "5" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := Decode([]byte(tt.body))
			if err != nil {
				t.Fatalf("the event was lost: %v", err)
			}
			if !slices.Equal(e.Unreadable, tt.unreadable) || len(e.DedupKey) != 32 || !tt.check(e) {
				t.Errorf("event %+v (deal %+v), unreadable %q; want %q", e, e.Deal, e.Unreadable, tt.unreadable)
			}
		})
	}
}

func TestParseTime(t *testing.T) {
	for in, want := range map[string]time.Time{
		"":                          {},
		"1709913600":                time.Unix(1709913600, 0),
		"1709913600.5":              time.Unix(1709913600, 5e8),
		"1709913600123":             time.UnixMilli(1709913600123),
		"1709913600123456":          time.UnixMicro(1709913600123456),
		"1e30":                      {},
		"2023-01-01T00:00:00.000Z":  time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC),
		"2023-01-01T02:00:00+02:00": time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC),
		"2023-01-01T00:00:00":       time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC),
		"not a time":                {},
		"2023-01-01 00:00:00":       time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC),
		"1709913600:00":             {},
		"NaN":                       {},
		"0x1p4":                     time.Unix(16, 0),
	} {
		if got := parseTime(in); !got.Equal(want) {
			t.Errorf("parseTime(%q) = %v, want %v", in, got, want)
		}
	}
}
