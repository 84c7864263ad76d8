package webhook

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"testing"
)

// The tests in this file kill mutants that gremlins (make mutate) found alive or
// uncovered in this package: each names the mutation it catches.

// TestErrorText: the error's text is its kind, then the cause; a wrong type names
// the field (mutants: Error's concatenation; fieldName's `e.Field == ""` negated).
func TestErrorText(t *testing.T) {
	_, err := Decode([]byte(`{"meta":"x"}`))
	var de *Error
	if !errors.As(err, &de) || de.Kind != KindWrongType {
		t.Fatalf("error %v, want a %s", err, KindWrongType)
	}
	if got, want := err.Error(), "wrong_type: meta: want webhook.meta, got JSON string"; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
	if got := (&Error{Kind: KindEmptyBody, Err: errors.New("no body")}).Error(); got != "empty_body: no body" {
		t.Errorf("Error() = %q", got)
	}
}

// TestUnreadableFieldsAreSorted: several unreadable fields come out sorted,
// whatever order they were found in (mutant: `len(e.Unreadable) > 1` negated).
func TestUnreadableFieldsAreSorted(t *testing.T) {
	body := `{"meta":{"version":"2.0","action":"change","entity":"deal","entity_id":"8","id":"e1",
		"company_id":"1","attempt":{},"timestamp":"2022-11-24T15:11:55Z"},
		"data":{"id":8,"stage_id":[1],"value":"NaN","title":"t"},"previous":{"stage_id":{}}}`
	e, err := Decode([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"data.stage_id", "data.value", "meta.attempt", "previous.stage_id"}
	if !slices.Equal(e.Unreadable, want) {
		t.Errorf("unreadable %q, want %q", e.Unreadable, want)
	}
}

// TestMergedToIDFromTheObjects: without meta.merged_to_id, the merge target comes
// from current (v1) or data (v2); meta's wins when both are sent (mutant:
// `e.MergedToID == ""` negated).
func TestMergedToIDFromTheObjects(t *testing.T) {
	for _, tt := range []struct{ name, body, want string }{
		{"v1 current", `{"meta":{"v":1,"action":"merged","object":"deal","id":125,"company_id":1,"timestamp":1709913800},
			"current":{"id":125,"merged_to_id":130},"previous":{"id":125}}`, "130"},
		{"v2 data", `{"meta":{"version":"2.0","action":"delete","entity":"person","entity_id":"7","id":"e2","company_id":"1",
			"timestamp":"2022-11-24T15:11:55Z"},"previous":{"id":7,"merged_to_id":"9"}}`, "9"},
		{"meta wins", `{"meta":{"v":1,"action":"merged","object":"deal","id":125,"company_id":1,"timestamp":1709913800,"merged_to_id":140},
			"current":{"id":125,"merged_to_id":130}}`, "140"},
	} {
		e, err := Decode([]byte(tt.body))
		if err != nil || e.MergedToID != tt.want {
			t.Errorf("%s: merged_to_id %q (%v), want %q", tt.name, e.MergedToID, err, tt.want)
		}
	}
}

// TestSameValue pins what v1's changed_fields count as unchanged (mutants in
// sameValue, reference and leadingID: the numeric comparison negated, a string id in
// a reference indexed past its end, the scalar-versus-object rule, an object or a
// list id).
func TestSameValue(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want bool
	}{
		{`12`, `"12"`, true},
		{`100`, `"100.0"`, true},  // equal as numbers only
		{`1e3`, `1000`, true},     // equal as numbers only
		{`"abc"`, `"abd"`, false}, // neither is a number
		{`"12"`, `"12x"`, false},  // one is no number
		{`701`, `{"id":701,"name":"Ada"}`, true},
		{`"701"`, `{"id":"701","name":"Ada"}`, true}, // a string id, read by the fast path
		{`"701"`, `{ "id" : "701" }`, true},
		{`"7,01"`, `{"id":"7,01"}`, true}, // a comma in the id: decoded properly
		{`","`, `{"id":","}`, true},       // the fast path sees only `"` (mutant: `len(v) < 2` negated panics)
		{`"a\"b"`, `{"id":"a\"b"}`, true}, // an escape in the id
		{`55`, `{"name":"Uni","value":55}`, true},
		{`56`, `{"name":"Uni","value":55}`, false},
		{`{"id":1}`, `{"id":2}`, false},
		{`[1,2]`, `[1, 2]`, true}, // the same list, spaced differently
		{`[1,2]`, `[2,1]`, false},
		{`1`, `[1]`, false}, // a scalar and a list
		{`{"a":1}`, `{"a": 1}`, true},
		{`{"id":{"x":1}}`, `{"id":{"x":1}}`, true},
		{`{"id":[1]}`, `{"id":[2]}`, false},
		// An object or a list as the id, with a comma in it: the fast path must
		// leave it to the decoder, not take it up to the comma (mutants in
		// leadingID: `v[0] == '{'` and `v[0] == '['` negated, which return `{"x":1`
		// and `[1` for both sides).
		{`{"id":{"x":1,"y":2}}`, `{"id":{"x":1,"y":3}}`, false},
		{`{"id":[1,2]}`, `{"id":[1,3]}`, false},
	} {
		if got := sameValue(json.RawMessage(tt.a), json.RawMessage(tt.b)); got != tt.want {
			t.Errorf("sameValue(%s, %s) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
		if got := sameValue(json.RawMessage(tt.b), json.RawMessage(tt.a)); got != tt.want {
			t.Errorf("sameValue(%s, %s) = %v, want %v", tt.b, tt.a, got, tt.want)
		}
	}
}

// TestIntAtTheEdgeOfExactFloats: 2^53 written as a float is still an exact integer;
// one beyond is not (mutant: `<= 1<<53` as `<`).
func TestIntAtTheEdgeOfExactFloats(t *testing.T) {
	for _, tt := range []struct {
		in        string
		want      int64
		valid     bool
		unreadble bool
	}{
		{`9.007199254740992e15`, 1 << 53, true, false},
		{`-9.007199254740992e15`, -(1 << 53), true, false},
		{`1.8014398509481984e16`, 0, false, true},
		{`2.0`, 2, true, false},
		{`2.5`, 0, false, true},
	} {
		var n Int
		if err := n.UnmarshalJSON([]byte(tt.in)); err != nil || n.N != tt.want || n.Valid != tt.valid || n.bad != tt.unreadble {
			t.Errorf("Int(%s) = %+v, %v; want %d valid %v unreadable %v", tt.in, n, err, tt.want, tt.valid, tt.unreadble)
		}
	}
}

// TestBound: strings are cut to n bytes of whole characters, the cut marked, and
// lists to MaxLoggedFields names plus a count (mutants in Bound and boundList:
// the cut's arithmetic, the rune-start loop, the list's capacity).
func TestBound(t *testing.T) {
	for _, tt := range []struct {
		s    string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"0123456789abcdef", 14, "012345…[cut]"}, // the mark is 8 bytes
		{"ééééééééé", 14, "ééé…[cut]"},           // 6 bytes: 3 whole é
		{"aéééééé", 12, "aé…[cut]"},              // 4 bytes would split the second é
		{"0123456789", 8, "…[cut]"},
	} {
		got := Bound(tt.s, tt.n)
		if got != tt.want || len(got) > max(tt.n, len(tt.s)) {
			t.Errorf("Bound(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
	}
	names := make([]string, MaxLoggedFields+2)
	for i := range names {
		names[i] = "f" + strings.Repeat("x", i%3)
	}
	got := boundList(names)
	if len(got) != MaxLoggedFields+1 || got[MaxLoggedFields] != "…[2 more]" || got[0] != "f" {
		t.Errorf("boundList: %d names, last %q", len(got), got[len(got)-1])
	}
	if got := boundList([]string{}); got == nil || len(got) != 0 {
		t.Errorf("boundList(empty) = %#v, want an empty list", got)
	}
	// An event whose change left nothing different logs changed_fields as [].
	var buf strings.Builder
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "webhook", &Event{ChangedFields: []string{}})
	if !strings.Contains(buf.String(), `"changed_fields":[]`) {
		t.Errorf("record %s, want changed_fields []", buf.String())
	}
}

// TestTextUnescapes: a string with an escape is decoded properly, and an invalid
// one is unreadable (mutant: `json.Unmarshal(b, &t.s) != nil` negated).
func TestTextUnescapes(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string
		bad  bool
	}{
		{`"8\u0030"`, "80", false},
		{`"a\"b"`, `a"b`, false},
		{`"a\qb"`, "", true},
	} {
		var x text
		if err := x.UnmarshalJSON([]byte(tt.in)); err != nil || x.s != tt.want || x.bad != tt.bad {
			t.Errorf("text(%s) = %+v, %v; want %q unreadable %v", tt.in, x, err, tt.want, tt.bad)
		}
	}
}

// TestBoundOnBytesThatStartNoCharacter: a string of continuation bytes only (not
// UTF-8; the decoder never hands one over, Bound is exported) is cut to the mark
// alone, not past its start (mutant: `cut > 0` as `cut >= 0`, which slices at -1).
func TestBoundOnBytesThatStartNoCharacter(t *testing.T) {
	if got := Bound(strings.Repeat("\x80", 20), 10); got != "…[cut]" {
		t.Errorf("Bound = %q, want the mark alone", got)
	}
}

// TestNoAttemptIsLeftOut: an event without an attempt logs none, rather than 0
// (mutant: `e.Attempt > 0` as `>= 0`).
func TestNoAttemptIsLeftOut(t *testing.T) {
	var buf strings.Builder
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("x", "webhook", &Event{Version: V2})
	if strings.Contains(buf.String(), `"attempt"`) {
		t.Errorf("record %s, want no attempt", buf.String())
	}
}

// LogAttrs lists LogValue's group and stops where yield says.
func TestLogAttrsStopsWhenAsked(t *testing.T) {
	e, err := Decode(mustFixture(t, "v2/deal-change"))
	if err != nil {
		t.Fatal(err)
	}
	var all []slog.Attr
	e.LogAttrs(func(a slog.Attr) bool { all = append(all, a); return true })
	if group := e.LogValue().Group(); len(all) < 3 || fmt.Sprint(all) != fmt.Sprint(group) {
		t.Fatalf("LogAttrs listed %v, LogValue's group is %v", all, group)
	}
	calls := 0
	e.LogAttrs(func(slog.Attr) bool { calls++; return calls < 3 })
	if calls != 3 {
		t.Errorf("yield called %d times after it returned false on the 3rd", calls)
	}
}
