package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/dissertation-editor/pipedrive-webhooks/internal/pipedrive/pipedrivetest"
)

// scanSeeds are bodies at the scanner's edges: members in any case, repeated ones,
// meta and data as null or of the wrong kind, escapes, numbers JSON refuses.
var scanSeeds = []string{
	`{}`, `{"meta":{}}`, `{"meta":null}`, `{"META":{"Version":"2.0","ENTITY":"deal"},"Data":{"ID":7,"Title":"t"}}`,
	`{"meta":{"action":"a"},"meta":{"entity":"deal"}}`, `{"meta":{"action":"a"},"meta":null,"meta":{"entity":"b"}}`,
	`{"data":{"id":1},"data":{"title":"x"},"meta":{"version":"2.0"}}`, `{"data":{"id":1},"data":null}`,
	`{"meta":"x"}`, `{"meta":[1]}`, `{"data":"x","meta":{}}`, `{"meta":{},"data":5}`, `{"meta":true}`,
	`{"me\u0074a":{}}`, `{"meta":{"a\"b":1,"entity":"d\u00e9al"}}`, `{"meta":{"ſtatus":1,"id":"K"},"data":{"ſtatus":"won","K":1}}`,
	`{"meta":{"entity_id":-0.5e+3,"attempt":01}}`, `{"meta":{"attempt":1.}}`, `{"meta":{"attempt":-}}`, `{"meta":{"x":1e}}`,
	`{"meta":{},"previous":{"a":[1,{"b":[]}],"c":null},"current":[{"id":1}]}`, `{"v":1,"meta":{},"previous":{"a\u0062":1,"ab":2,"\ud800":3,"\n":4},"current":{"ab":1}}`,
	`{"meta":{},"previous":{"a":1,"a":2,"x":` + strings.Repeat("[", maxScanDepth+1) + strings.Repeat("]", maxScanDepth+1) + `}}`, `{"meta":{}} x`, `{"meta":{},}`,
	`{"meta":{"x":"` + "\t" + `"}}`, `{"meta":{"x":"\x"}}`, `{"meta":{"x":"\u12"}}`, `{"meta":{"x":tru}}`, `{"meta" {}}`,
	`{"meta":{"x":[1,]}}`, `{"meta":{"x":[1 2]}}`, `{"meta":{"v":2}` + strings.Repeat(" ", 3) + `}`,
	`{"meta":{},"x":` + strings.Repeat("[", maxScanDepth+1) + strings.Repeat("]", maxScanDepth+1) + `}`,
	// Found by the fuzzer, where the test, not the scanner, was wrong: a name with
	// invalid UTF-8 (Decode refuses the body first) and a body that is no object.
	"{\"\x80\":[]}", `null`,
}

// FuzzScanPayload holds the scanner to encoding/json: whatever the body, when the
// scanner reads it, json.Unmarshal reads it without error into the same payload;
// when the scanner declines, json.Unmarshal fails, or the body is one of those it
// leaves to it by design (an escape in a name, nesting deeper than maxScanDepth).
// And Decode answers the same as Decode reading every envelope with json.Unmarshal.
func FuzzScanPayload(f *testing.F) {
	all, err := pipedrivetest.Fixtures()
	if err != nil {
		f.Fatal(err)
	}
	for _, fx := range all {
		f.Add(fx.Body)
	}
	for _, s := range scanSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		comparePayloads(t, body)
		compareDecodes(t, body)
	})
}

// TestScanPayloadAgrees runs FuzzScanPayload's checks on its seeds, and checks
// that the scanner reads the fixtures itself rather than leaving them all to
// encoding/json.
func TestScanPayloadAgrees(t *testing.T) {
	all, err := pipedrivetest.Fixtures()
	if err != nil {
		t.Fatal(err)
	}
	for _, fx := range all {
		var p payload
		if !scanPayload(bytes.TrimSpace(fx.Body), &p) {
			t.Errorf("%s: the scanner declined a fixture", fx.Name)
		}
		comparePayloads(t, fx.Body)
		compareDecodes(t, fx.Body)
	}
	for _, s := range scanSeeds {
		comparePayloads(t, []byte(s))
		compareDecodes(t, []byte(s))
	}
}

func comparePayloads(t *testing.T, body []byte) {
	t.Helper()
	var fast, slow payload
	scanned := scanPayload(body, &fast)
	err := json.Unmarshal(body, &slow)
	switch {
	case scanned && err != nil:
		t.Fatalf("%q: the scanner read it, json.Unmarshal says %v", body, err)
	case scanned && !reflect.DeepEqual(pointedTo(fast), pointedTo(slow)):
		t.Fatalf("%q:\nscanner        %+v\njson.Unmarshal %+v", body, fast, slow)
	case !scanned && err == nil && bytes.HasPrefix(bytes.TrimLeft(body, " \t\r\n"), []byte("{")) &&
		!bytes.Contains(body, []byte(`\`)) && depth(body) <= maxScanDepth: // (Decode reads only objects)
		t.Fatalf("%q: the scanner declined what json.Unmarshal reads", body)
	}
	if err != nil || !utf8.Valid(body) {
		return
	}
	// previous and current are read as maps, by the scanner too (from a body Decode
	// found valid UTF-8: encoding/json writes a name's invalid bytes as U+FFFD).
	for _, raw := range []json.RawMessage{slow.Current, slow.Previous} {
		ms, unreadable := readMembers(raw, "x")
		var want map[string]json.RawMessage
		if o := unwrapOne(raw); isObject(o) && json.Unmarshal(o, &want) != nil {
			t.Fatalf("%q: json.Unmarshal refuses an object it read before", o)
		}
		var got map[string]json.RawMessage
		if ms.list != nil {
			got = map[string]json.RawMessage{}
		}
		for i, m := range ms.list {
			if i > 0 && ms.list[i-1].key >= m.key {
				t.Fatalf("%q: members not sorted, or a key twice: %q", raw, ms.list)
			}
			got[m.key] = m.value
		}
		if unreadable != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: members %q (unreadable %q), json.Unmarshal %q", raw, got, unreadable, want)
		}
	}
}

// compareDecodes checks Decode against Decode with every envelope read by
// json.Unmarshal: the same event, or an error of the same kind and text.
func compareDecodes(t *testing.T, body []byte) {
	t.Helper()
	trimmed := bytes.TrimSpace(body)
	e, err := Decode(body)
	var de *Error
	if len(trimmed) == 0 || trimmed[0] != '{' || errors.As(err, &de) && de.Kind == KindInvalidUTF8 {
		return // decided before the envelope is read
	}
	want, wantErr := decode(trimmed, false)
	if (err == nil) != (wantErr == nil) || err != nil && err.Error() != wantErr.Error() {
		t.Fatalf("%q: Decode error %v, with json.Unmarshal %v", body, err, wantErr)
	}
	if !reflect.DeepEqual(e, want) {
		t.Fatalf("%q:\nDecode            %+v\nwith json.Unmarshal %+v", body, e, want)
	}
}

// pointedTo is p without its room: what its pointers point to, wherever that is.
func pointedTo(p payload) payload {
	if p.Meta != nil {
		m := *p.Meta
		p.Meta = &m
	}
	if p.Data != nil {
		d := *p.Data
		p.Data = &d
	}
	p.metaRoom, p.dataRoom = meta{}, object{}
	return p
}

// depth is the deepest nesting of arrays and objects in body, outside strings.
func depth(body []byte) int {
	d, deepest, inString, escaped := 0, 0, false, false
	for _, c := range body {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			d++
			deepest = max(deepest, d)
		case c == ']' || c == '}':
			d--
		}
	}
	return deepest
}

// fieldIndex skips the folding of names with no upper-case letter and no
// non-ASCII byte: that holds only while every name it matches is lower-case ASCII.
func TestFieldNamesAreLowerCaseASCII(t *testing.T) {
	for _, names := range [][]string{payloadNames, metaNames, objectNames} {
		for _, n := range names {
			if n != strings.ToLower(n) || strings.IndexFunc(n, func(r rune) bool { return r >= 0x80 }) >= 0 {
				t.Errorf("field name %q is not lower-case ASCII", n)
			}
		}
	}
}

// FuzzScalarsReadAsText holds Int, Float and flag, which read numbers and booleans
// without copying them, to reading them as text first, as they used to: the same
// value and the same verdict for any JSON value.
func FuzzScalarsReadAsText(f *testing.F) {
	for _, s := range []string{`null`, `""`, `"12"`, `12`, `-0`, `1e3`, `2.0`, `1.5`, `1e400`, `"NaN"`, `true`, `"1"`, `0`,
		`"false"`, `{}`, `[1]`, `"\u0031"`, `"\ud800"`, "\"\xff\"", `99999999999999999999`, `9007199254740993.0`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) {
			return
		}
		b = bytes.TrimSpace(b)
		var txt text
		_ = txt.UnmarshalJSON(b)
		var wantInt Int
		var wantFloat Float
		var wantFlag flag
		wantInt.bad, wantFloat.bad = txt.bad, txt.bad
		if !txt.bad && txt.s != "" {
			if v, err := strconv.ParseInt(txt.s, 10, 64); err == nil {
				wantInt.N, wantInt.Valid = v, true
			} else if x, err := strconv.ParseFloat(txt.s, 64); err == nil && x == math.Trunc(x) && math.Abs(x) <= 1<<53 {
				wantInt.N, wantInt.Valid = int64(x), true
			} else {
				wantInt.bad = true
			}
			if v, err := strconv.ParseFloat(txt.s, 64); err == nil && !math.IsInf(v, 0) && !math.IsNaN(v) {
				wantFloat.F, wantFloat.Valid = v, true
			} else {
				wantFloat.bad = true
			}
		}
		switch {
		case txt.bad:
			wantFlag.bad = true
		case txt.s == "true" || txt.s == "1":
			wantFlag.b = true
		case txt.s == "false" || txt.s == "0" || txt.s == "":
		default:
			wantFlag.bad = true
		}
		var gotInt Int
		var gotFloat Float
		var gotFlag flag
		_, _, _ = gotInt.UnmarshalJSON(b), gotFloat.UnmarshalJSON(b), gotFlag.UnmarshalJSON(b)
		if gotInt != wantInt || gotFloat != wantFloat || gotFlag != wantFlag {
			t.Fatalf("%q: Int %+v Float %+v flag %+v; as text %+v %+v %+v", b, gotInt, gotFloat, gotFlag, wantInt, wantFloat, wantFlag)
		}
	})
}
